"""Erlang B/C queueing formulas (M/M/N): the theory the simulator is validated against.

Traffic `load` is in erlangs (arrival rate × mean handle time); `agents` is the number of servers;
times are in the unit of `aht` (seconds throughout callqa).
"""

from __future__ import annotations

import math


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/N/N (numerically stable recurrence)."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be non-negative")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that a caller waits (M/M/N); 1.0 when the system is overloaded (load ≥ agents)."""
    if load >= agents:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


def service_level(agents: int, load: float, aht: float, target: float) -> float:
    """Share of callers answered within `target` (same unit as `aht`)."""
    if load >= agents:
        return 0.0
    return 1.0 - erlang_c(agents, load) * math.exp(-(agents - load) * target / aht)


def average_speed_of_answer(agents: int, load: float, aht: float) -> float:
    """Mean wait of all callers (ASA), in the unit of `aht`; infinite when overloaded."""
    if load >= agents:
        return math.inf
    return erlang_c(agents, load) * aht / (agents - load)


def agents_for_service_level(load: float, aht: float, target: float, goal: float) -> int:
    """The fewest agents reaching service level `goal` (0–1) within `target`."""
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, load, aht, target) < goal:
        agents += 1
    return agents
