"""The router's read-only questions about its state: a waiting call's queue position, how many agents
could take it, its estimated wait, and why nobody ever could (the hotline refuses such calls at arrival).
`routing.engine.Router` inherits them; they change nothing and cost O(waiting calls) or O(agents)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from routing.announcements import Refusal
from routing.model import Agent, AgentStatus, Call

Signature = tuple[frozenset[str], frozenset[tuple[str, int]], int]
"""Waiting calls compete for the same agents when they accept the same languages, need the same skills and
the same lowest tier."""


class RoutingError(ValueError):
    """A request that does not fit the router's state (unknown agent or call, agent not on that call)."""


class RouterReads:
    """The reads; the state they read is the router's (see `routing.engine.Router.__init__`)."""

    agents: dict[str, Agent]
    waiting: dict[str, Call]
    _entry_seq: dict[str, int]
    _all_by_skill: dict[str, set[str]]
    _all_by_language: dict[str, set[str]]

    def queue_position(self, call_id: str) -> int:
        """1-based position among waiting calls that compete for the same agents (same signature)."""
        call = self.waiting.get(call_id)
        if call is None:
            raise RoutingError(f"call {call_id} is not waiting")
        seqs = self._entry_seq
        key = (-call.priority, call.arrived_at, seqs[call_id])
        sig = self._signature(call)
        ahead = sum(
            1
            for other in self.waiting.values()
            if (-other.priority, other.arrived_at, seqs[other.id]) < key and self._signature(other) == sig
        )
        return ahead + 1

    def staffed_for(self, call_id: str) -> int:
        """Agents not offline who could take waiting call `call_id` at its current requirement."""
        call = self.waiting.get(call_id)
        if call is None:
            raise RoutingError(f"call {call_id} is not waiting")
        need = call.requirement().items()
        languages = call.accepted_languages()
        return sum(
            1
            for a in self.agents.values()
            if a.status != AgentStatus.OFFLINE and self._eligible(a, languages, need, call.min_tier)
        )

    def unservable(self, call: Call) -> Refusal | None:
        """Why no routed agent (in any state) could take `call` at any relaxation level (words for the
        caller: `Refusal.text(language)`), or None when some agent could. Agents below `call.min_tier`
        are not counted, and the reason does not name the tier: check first that someone has it. Costs
        O(agents with the call's rarest skill) per level."""
        levels = range(len(call.steps) + 1)
        for level in levels:
            need = call.requirement(level)
            languages = call.accepted_languages(level)
            pools = [self._all_by_skill.get(s, set()) for s in need] or [
                set().union(*(self._all_by_language.get(lang, set()) for lang in languages))
            ]
            if any(
                self._eligible(self.agents[a], languages, need.items(), call.min_tier)
                for a in min(pools, key=len)
            ):
                return None
        need, languages = call.requirement(levels[-1]), call.accepted_languages(levels[-1])
        missing = tuple(sorted(s for s in need if not self._all_by_skill.get(s)))
        if missing:
            return Refusal("no_skill", skills=missing)
        short = sorted(
            s for s, lvl in need.items() if all(self.agents[a].skills[s] < lvl for a in self._all_by_skill[s])
        )
        if short:
            return Refusal("skill_level", levels=tuple((s, need[s]) for s in short))
        spoken = tuple(sorted(languages))
        if not any(self._all_by_language.get(lang) for lang in languages):
            return Refusal("language", languages=spoken)
        return Refusal("language_skills", levels=tuple(sorted(need.items())), languages=spoken)

    def estimated_wait_s(self, call_id: str, aht_s: float) -> float:
        """Seconds until waiting call `call_id` is answered: queue position × `aht_s` (average handle
        time incl. wrap-up, s) / agents who could take it; infinite when nobody could."""
        staffed = self.staffed_for(call_id)
        return math.inf if staffed == 0 else self.queue_position(call_id) * aht_s / staffed

    @staticmethod
    def _signature(call: Call) -> Signature:
        return (call.accepted_languages(), frozenset(call.requirement().items()), call.min_tier)

    @staticmethod
    def _eligible(
        agent: Agent, languages: frozenset[str], need: Iterable[tuple[str, int]], min_tier: int = 1
    ) -> bool:
        return (
            agent.tier >= min_tier
            and not languages.isdisjoint(agent.languages)
            and all(agent.skills.get(s, 0) >= lvl for s, lvl in need)
        )
