"""The routing domain: agents, waiting calls, relaxation steps and decisions. Pure data, no I/O.

Times are seconds on the caller's clock (a PBX's epoch time, or simulated time); proficiency is 1–5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    OFFLINE = "offline"


@dataclass
class Agent:
    """An agent as the router sees them. `quality` maps skill → QA score 0–100 (from scoring); `tier` 1 is
    offered calls before tier 2 (and so on) whatever the strategy."""

    id: str
    skills: dict[str, int]
    languages: frozenset[str] = frozenset({"en"})
    tier: int = 1
    status: AgentStatus = AgentStatus.OFFLINE
    capacity: int = 1
    active_calls: int = 0
    idle_since: float = 0.0
    wrap_until: float = 0.0
    calls_handled: int = 0
    talk_time_s: float = 0.0
    last_offered_seq: int = 0
    quality: dict[str, float] = field(default_factory=dict)

    @property
    def free(self) -> bool:
        return self.status == AgentStatus.AVAILABLE and self.active_calls < self.capacity


@dataclass(frozen=True)
class RelaxStep:
    """After `after_s` of waiting: drop `remove` skills, require `add` (skill → min level) as well,
    accept `widen` levels less proficiency on every remaining skill (floor 1), and accept agents who
    speak one of `languages` besides the caller's own."""

    after_s: float
    remove: frozenset[str] = frozenset()
    add: tuple[tuple[str, int], ...] = ()
    widen: int = 0
    languages: frozenset[str] = frozenset()


@dataclass
class Call:
    """A caller waiting for (or talking to) an agent. `skills` maps skill → minimum proficiency; relaxation
    never lowers `min_tier`."""

    id: str
    skills: dict[str, int]
    arrived_at: float
    language: str = "en"
    priority: int = 0  # higher is served first (VIP, callbacks due)
    queue: str = "default"
    steps: tuple[RelaxStep, ...] = ()
    callback: bool = False
    min_tier: int = 1  # only agents of this tier or higher may take it (raised by an escalation)
    excluded: set[str] = field(default_factory=set)  # agents who did not answer this call
    consult_of: str | None = None  # a warm transfer's consult leg: the id of the call on hold
    relax_level: int = 0  # how many of `steps` apply now

    def requirement(self, level: int | None = None) -> dict[str, int]:
        """Skills and minimum levels after the relaxation steps reached so far (or the first `level`)."""
        need = dict(self.skills)
        for step in self.steps[: self.relax_level if level is None else level]:
            for skill in step.remove:
                need.pop(skill, None)
            for skill, level in step.add:
                need[skill] = level
            if step.widen:
                need = {s: max(1, lvl - step.widen) for s, lvl in need.items()}
        return need

    def accepted_languages(self, level: int | None = None) -> frozenset[str]:
        """The caller's language plus those the relaxation steps reached so far (or the first `level`)
        allow."""
        langs = {self.language}
        for step in self.steps[: self.relax_level if level is None else level]:
            langs |= step.languages
        return frozenset(langs)


@dataclass(frozen=True)
class Candidate:
    """An agent considered for a call: its rank key (smallest wins; first the tier) and why, in words."""

    agent_id: str
    key: tuple[float, ...]
    why: str = ""


@dataclass(frozen=True)
class Assignment:
    """A routing decision with its explanation: who was considered and why the winner won."""

    call_id: str
    agent_id: str
    at: float
    wait_s: float
    strategy: str
    requirement: dict[str, int]
    relax_level: int
    candidates: tuple[Candidate, ...]
    reason: str
