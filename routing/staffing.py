"""Staffing plans: how many agents an interval needs for a service-level goal, by Erlang C or Erlang A.

"How many agents for 80 % in 20 s with 30 % shrinkage at 100 calls per half hour?" Units: calls per
interval, seconds for every time, shares 0–1. Pure functions; the CLI (`callqa staff`) prints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from routing.erlang import QueueFigures, erlang_a_figures, erlang_a_service, erlang_c_figures, service_level

MAX_AGENTS = 100_000
"""Where the search gives up (a goal no staffing reaches, e.g. a service level of 1.0 with patience)."""


@dataclass(frozen=True)
class StaffingGoal:
    """`service_level` (0–1) answered within `target_s`; agents busy at most `max_occupancy` (0–1] of the
    time; at most `max_abandonment` (0–1) of callers hanging up (Erlang A only)."""

    service_level: float = 0.80
    target_s: float = 20.0
    max_occupancy: float = 1.0
    max_abandonment: float = 1.0


@dataclass(frozen=True)
class StaffingPlan:
    """`agents` needed on the phones; `scheduled` = agents / (1 − shrinkage), rounded up: the people to
    roster when `shrinkage` (0–1) of their paid time is off the phones (breaks, training, meetings).
    `figures` are what `agents` achieve; `binding` names the goal that set the number."""

    agents: int
    scheduled: int
    shrinkage: float
    figures: QueueFigures
    binding: str


def offered_load(calls: float, interval_s: float, aht_s: float) -> float:
    """Offered traffic in erlangs: `calls` arriving per `interval_s`, each taking `aht_s` on average."""
    if calls < 0 or interval_s <= 0 or aht_s <= 0:
        raise ValueError("calls must be ≥ 0, interval and AHT > 0")
    return calls * aht_s / interval_s


def figures_for(
    agents: int, load: float, aht_s: float, target_s: float, patience_s: float | None
) -> QueueFigures:
    """Erlang C figures, or Erlang A's when callers have a mean `patience_s`."""
    if patience_s is None:
        return erlang_c_figures(agents, load, aht_s, target_s)
    return erlang_a_figures(agents, load, aht_s, patience_s, target_s)


def plan_staffing(
    calls: float,
    interval_s: float,
    aht_s: float,
    goal: StaffingGoal,
    *,
    shrinkage: float = 0.0,
    patience_s: float | None = None,
) -> StaffingPlan:
    """The fewest agents meeting every part of `goal`; Erlang A when `patience_s` is given, else Erlang C.

    More agents never lower the service level nor raise occupancy or abandonment, so the search doubles
    until the goal is met and then bisects: a few dozen evaluations even for thousands of agents.
    Raises ValueError for goals outside their ranges or that no number of agents up to MAX_AGENTS meets."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be in [0, 1)")
    if not 0.0 <= goal.service_level <= 1.0 or not 0.0 < goal.max_occupancy <= 1.0:
        raise ValueError("service level must be in [0, 1] and max occupancy in (0, 1]")
    load = offered_load(calls, interval_s, aht_s)
    if load == 0:
        raise ValueError("no calls: nothing to staff")
    # Erlang C is stable only above the load; Erlang A from one agent.
    low = max(1, math.floor(load) + 1) if patience_s is None else 1
    if not _misses(low, load, aht_s, goal, patience_s):
        agents = low
    else:
        high = low
        while _misses(high, load, aht_s, goal, patience_s):
            if high >= MAX_AGENTS:
                raise ValueError(f"no staffing up to {MAX_AGENTS} agents meets the goal")
            low, high = high, min(MAX_AGENTS, high * 2)
        while high - low > 1:  # low misses the goal, high meets it
            middle = (low + high) // 2
            low, high = (
                (low, middle) if not _misses(middle, load, aht_s, goal, patience_s) else (middle, high)
            )
        agents = high
    # The goal the agent fewer misses is the one that set the number.
    binding = _misses(agents - 1, load, aht_s, goal, patience_s) if agents > 1 else []
    return StaffingPlan(
        agents=agents,
        scheduled=_scheduled(agents, shrinkage),
        shrinkage=shrinkage,
        figures=figures_for(agents, load, aht_s, goal.target_s, patience_s),
        binding=", ".join(binding) or "service level",
    )


def _misses(
    agents: int, load: float, aht_s: float, goal: StaffingGoal, patience_s: float | None
) -> list[str]:
    """The parts of `goal` that `agents` miss (empty: all met)."""
    if patience_s is None:
        if load >= agents:
            return ["stability"]
        service, abandonment, occupancy = (
            service_level(agents, load, aht_s, goal.target_s),
            0.0,
            load / agents,
        )
    else:
        _, service, abandonment = erlang_a_service(agents, load, aht_s, patience_s, goal.target_s)
        occupancy = load * (1.0 - abandonment) / agents
    misses = []
    if service < goal.service_level:
        misses.append("service level")
    if occupancy > goal.max_occupancy:
        misses.append("occupancy")
    if abandonment > goal.max_abandonment:
        misses.append("abandonment")
    return misses


def _scheduled(agents: int, shrinkage: float) -> int:
    """Agents / (1 − shrinkage) rounded up; rounded to 9 places first so 14 / 0.7 is 20, not 21."""
    return math.ceil(round(agents / (1.0 - shrinkage), 9))
