"""Staffing plans: how many agents an interval needs for a service-level goal, by Erlang C or Erlang A.

"How many agents for 80 % in 20 s with 30 % shrinkage at 100 calls per half hour?" Units: calls per
interval, seconds for every time, shares 0–1. Pure functions; the CLI (`callqa staff`) prints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from routing.erlang import QueueFigures, erlang_a_figures, erlang_c_figures

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

    Raises ValueError for goals outside their ranges or that no number of agents up to MAX_AGENTS meets."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be in [0, 1)")
    if not 0.0 <= goal.service_level <= 1.0 or not 0.0 < goal.max_occupancy <= 1.0:
        raise ValueError("service level must be in [0, 1] and max occupancy in (0, 1]")
    load = offered_load(calls, interval_s, aht_s)
    if load == 0:
        raise ValueError("no calls: nothing to staff")
    # Erlang C is stable only above the load; Erlang A from one agent.
    agents = max(1, math.floor(load) + 1) if patience_s is None else 1
    while agents <= MAX_AGENTS:
        figures = figures_for(agents, load, aht_s, goal.target_s, patience_s)
        short = _unmet(figures, goal)
        if not short:
            # The goal the agent fewer misses is the one that set the number.
            fewer = figures_for(agents - 1, load, aht_s, goal.target_s, patience_s) if agents > 1 else None
            binding = _unmet(fewer, goal) if fewer is not None else []
            return StaffingPlan(
                agents=agents,
                scheduled=_scheduled(agents, shrinkage),
                shrinkage=shrinkage,
                figures=figures,
                binding=", ".join(binding) or "service level",
            )
        agents += 1
    raise ValueError(f"no staffing up to {MAX_AGENTS} agents meets the goal")


def _unmet(figures: QueueFigures, goal: StaffingGoal) -> list[str]:
    """The parts of `goal` that `figures` miss (empty: all met)."""
    unmet = []
    if figures.overloaded and figures.model == "Erlang C":
        return ["stability"]
    if figures.service_level < goal.service_level:
        unmet.append("service level")
    if figures.occupancy > goal.max_occupancy:
        unmet.append("occupancy")
    if figures.abandonment > goal.max_abandonment:
        unmet.append("abandonment")
    return unmet


def _scheduled(agents: int, shrinkage: float) -> int:
    """Agents / (1 − shrinkage) rounded up; rounded to 9 places first so 14 / 0.7 is 20, not 21."""
    return math.ceil(round(agents / (1.0 - shrinkage), 9))
