"""Agent-selection strategies: each ranks eligible agents for a call by a sort key (smallest wins), and
says in words what it ranked on ("idle 4 min 12 s"), for decision reasons a supervisor can read.

Ties always fall back to the longest-idle agent, then the agent id, so decisions are deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from routing.model import Agent, Call

Ranker = Callable[[Agent, Call, dict[str, int]], tuple[float, ...]]


def _longest_idle(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    return (agent.idle_since,)


def _round_robin(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    return (float(agent.last_offered_seq), agent.idle_since)


def _fewest_calls(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    return (float(agent.calls_handled), agent.idle_since)


def _least_talk_time(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    return (agent.talk_time_s, agent.idle_since)


def _best_proficiency(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    return (-float(sum(agent.skills.get(s, 0) for s in need)), agent.idle_since)


def _quality_weighted(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
    # Mean QA score over the call's skills; an agent with no score yet counts as average (50), so new
    # agents still get calls and earn a score.
    skills = need or call.skills
    scores = [agent.quality.get(s, 50.0) for s in skills] or [50.0]
    return (-sum(scores) / len(scores), agent.idle_since)


def format_duration(seconds: float) -> str:
    """Seconds as a supervisor reads them: "12 s", "4 min 12 s", "2 h 5 min"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _quality_of(agent: Agent, call: Call, need: dict[str, int]) -> float:
    return -_quality_weighted(agent, call, need)[0]


Explainer = Callable[[Agent, Call, dict[str, int], float], str]
_EXPLAIN: dict[str, Explainer] = {
    "longest-idle": lambda a, c, n, now: f"idle {format_duration(now - a.idle_since)}",
    "round-robin": lambda a, c, n, now: (
        "offered least recently" if not a.last_offered_seq else f"last offered turn {a.last_offered_seq}"
    ),
    "fewest-calls": lambda a, c, n, now: f"{a.calls_handled} calls handled",
    "least-talk-time": lambda a, c, n, now: f"talked {format_duration(a.talk_time_s)}",
    "best-proficiency": lambda a, c, n, now: (
        "proficiency " + (", ".join(f"{s} {a.skills.get(s, 0)}" for s in sorted(n)) or "not required")
    ),
    "quality-weighted": lambda a, c, n, now: f"QA score {_quality_of(a, c, n):.1f}",
    "random": lambda a, c, n, now: "drawn at random",
}


def explain(strategy: str, agent: Agent, call: Call, need: dict[str, int], now: float) -> str:
    """What `strategy` ranked `agent` on for `call`, in words (times relative to `now`, epoch s)."""
    tier = f", tier {agent.tier}" if agent.tier != 1 else ""
    return f"agent {agent.id} ({_EXPLAIN[strategy](agent, call, need, now)}{tier})"


def random_ranker(rng: random.Random) -> Ranker:
    """Uniformly random among eligible agents (seeded for reproducible simulations)."""

    def _random(agent: Agent, call: Call, need: dict[str, int]) -> tuple[float, ...]:
        return (rng.random(),)

    return _random


STRATEGIES: dict[str, Ranker] = {
    "longest-idle": _longest_idle,
    "round-robin": _round_robin,
    "fewest-calls": _fewest_calls,
    "least-talk-time": _least_talk_time,
    "best-proficiency": _best_proficiency,
    "quality-weighted": _quality_weighted,
}
STRATEGY_NAMES = (*STRATEGIES, "random")


def get_ranker(name: str, *, seed: int = 0) -> Ranker:
    """The ranker for a strategy name (see `STRATEGY_NAMES`)."""
    if name == "random":
        return random_ranker(random.Random(seed))
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGY_NAMES)}") from None
