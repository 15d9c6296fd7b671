"""Agent-selection strategies: each ranks eligible agents for a call by a sort key (smallest wins).

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
