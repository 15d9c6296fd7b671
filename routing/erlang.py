"""Erlang B, C and A queueing formulas: the theory staffing plans come from and the simulator is checked
against.

Units throughout: `load` is offered traffic in erlangs (arrival rate × mean handle time); `agents` is the
number of agents on the phones (servers); `aht`, `patience` and `target` are seconds (any one unit works as
long as all three share it). Probabilities and shares are 0–1.

- Erlang C (M/M/N): callers wait as long as it takes.
- Erlang A (Palm's M/M/N+M): each waiting caller hangs up after an exponential patience with mean
  `patience`. Closed forms after Mandelbaum & Zeltyn ("Service engineering in action: the Palm/Erlang-A
  queue", 2007), written with the regularized lower incomplete gamma function P(a, z). With θ = 1/patience,
  μ = 1/aht, λ = load·μ, x = Nμ/θ and y = λ/θ:

      A(x, y)        = x·e^y·y^(−x)·γ(x, y)            (γ the lower incomplete gamma)
      P(wait)        = A·E / (1 + (A − 1)·E)            (E = Erlang B with N agents and `load`)
      P(V > t | wait) = P(x, y·e^(−θt)) / P(x, y)       (V: the wait a caller would have, patience aside)
      answered within t | wait = (x/y)·[P(x+1, y) − P(x+1, y·e^(−θt))] / P(x, y)
      abandon | wait  = 1 − (x/y)·P(x+1, y) / P(x, y)  (= 1/(ρA) + 1 − 1/ρ, ρ = load/N)

  Mean time in queue over all callers (abandoners' wait included) is P(abandon)/θ (Little's law on the
  queue: abandonments leave at rate θ·Lq = λ·P(abandon)).

Service level is answered within `target` over all offered calls (a caller who hangs up is not answered
in time, whenever they hang up): the definition the simulator's `SimReport.service_level` measures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

_EPS = 1e-15


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
    """Erlang C: share of callers answered within `target` (same unit as `aht`)."""
    if load >= agents:
        return 0.0
    return 1.0 - erlang_c(agents, load) * math.exp(-(agents - load) * target / aht)


def average_speed_of_answer(agents: int, load: float, aht: float) -> float:
    """Erlang C: mean wait of all callers (ASA), in the unit of `aht`; infinite when overloaded."""
    if load >= agents:
        return math.inf
    return erlang_c(agents, load) * aht / (agents - load)


def agents_for_service_level(load: float, aht: float, target: float, goal: float) -> int:
    """Erlang C: the fewest agents reaching service level `goal` (0–1) within `target`."""
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, load, aht, target) < goal:
        agents += 1
    return agents


@dataclass(frozen=True)
class QueueFigures:
    """What a staffing level gives, per the model named in `model` ("Erlang C" or "Erlang A").

    `service_level`: answered within `target_s` over offered; `asa_s`: mean wait of answered calls (s);
    `mean_queue_s`: mean time in queue over all offered calls, abandoners' wait included (s);
    `occupancy`: share of the agents' time on calls (answered load / agents); `abandonment`: share of
    offered calls that hang up before an answer."""

    model: str
    agents: int
    load: float
    target_s: float
    wait_probability: float
    service_level: float
    asa_s: float
    mean_queue_s: float
    occupancy: float
    abandonment: float

    @property
    def overloaded(self) -> bool:
        """More traffic than agents: without abandonment the queue grows without bound."""
        return self.load >= self.agents


def erlang_c_figures(agents: int, load: float, aht: float, target: float) -> QueueFigures:
    """Erlang C figures for `agents` (no abandonment: ASA and mean queue time are the same)."""
    asa = average_speed_of_answer(agents, load, aht)
    return QueueFigures(
        model="Erlang C",
        agents=agents,
        load=load,
        target_s=target,
        wait_probability=erlang_c(agents, load),
        service_level=service_level(agents, load, aht, target),
        asa_s=asa,
        mean_queue_s=asa,
        occupancy=min(1.0, load / agents) if agents else 1.0,
        abandonment=0.0,
    )


def erlang_a_service(
    agents: int, load: float, aht: float, patience: float, target: float
) -> tuple[float, float, float]:
    """Erlang A's (P(wait), service level within `target`, abandonment) for `agents`: the closed forms
    alone, without the ASA integral (what a staffing search evaluates many times)."""
    palm = _Palm(agents, load, aht, patience)
    return palm.wait, palm.service_level(target), palm.abandonment


def erlang_a_figures(agents: int, load: float, aht: float, patience: float, target: float) -> QueueFigures:
    """Erlang A figures for `agents` with mean caller `patience` (closed forms in the module docstring;
    the ASA of answered calls is the integral of their wait's survival function, by Simpson's rule)."""
    palm = _Palm(agents, load, aht, patience)
    answered = 1.0 - palm.abandonment
    # E[wait; answered | waits] = ∫ (answered eventually − answered by t) dt; the integrand falls like
    # e^(−(x+1)θt), so 40 of those time constants leave nothing to add.
    horizon = 40.0 / ((palm.x + 1.0) * palm.theta)
    eventually = palm.answered_if_waiting
    waited_answered = _simpson(lambda t: eventually - palm.answered_within(t), 0.0, horizon, 2000)
    return QueueFigures(
        model="Erlang A",
        agents=agents,
        load=load,
        target_s=target,
        wait_probability=palm.wait,
        service_level=palm.service_level(target),
        asa_s=palm.wait * waited_answered / answered,
        mean_queue_s=palm.abandonment / palm.theta,
        occupancy=load * answered / agents,
        abandonment=palm.abandonment,
    )


class _Palm:
    """M/M/N+M in the module docstring's notation (x = Nμ/θ, y = λ/θ), with the logs of P(x, y) and
    P(x+1, y) that every figure divides by."""

    def __init__(self, agents: int, load: float, aht: float, patience: float) -> None:
        if agents < 1 or load <= 0 or aht <= 0 or patience <= 0:
            raise ValueError("agents ≥ 1 and positive load, aht and patience are required")
        self.theta = 1.0 / patience
        self.x = agents * (1.0 / aht) / self.theta
        self.y = load * (1.0 / aht) / self.theta
        e = erlang_b(agents, load)
        # P(wait) = A·E / (1 + (A − 1)·E), written with 1/A so a huge A cannot overflow.
        self.wait = e / (math.exp(-_log_a(self.x, self.y)) * (1.0 - e) + e)
        self.log_p_x = _log_p(self.x, self.y)
        self.log_p_x1 = _log_p(self.x + 1.0, self.y)
        self.answered_if_waiting = (self.x / self.y) * math.exp(self.log_p_x1 - self.log_p_x)
        self.abandonment = self.wait * (1.0 - self.answered_if_waiting)

    def answered_within(self, t: float) -> float:
        """P(answered within t | the caller waits)."""
        return math.exp(_log_answered_by(self.x, self.y, self.theta, t, self.log_p_x, self.log_p_x1))

    def service_level(self, target: float) -> float:
        if target < 0:
            raise ValueError("the service-level target must be ≥ 0")
        return 1.0 - self.wait + self.wait * self.answered_within(target)


def _log_answered_by(x: float, y: float, theta: float, t: float, log_p_x: float, log_p_x1: float) -> float:
    """log of (x/y)·[P(x+1, y) − P(x+1, y·e^(−θt))] / P(x, y); −inf at t = 0."""
    if t <= 0:
        return -math.inf
    rest = math.exp(_log_p(x + 1.0, y * math.exp(-theta * t)) - log_p_x1)
    if rest >= 1.0:
        return -math.inf
    return math.log(x / y) + log_p_x1 + math.log1p(-rest) - log_p_x


def _log_a(x: float, y: float) -> float:
    """log A(x, y) = log(x·e^y·y^(−x)·γ(x, y)) without overflow (A is 1 + Σ_j y^j / ∏_{k≤j} (x + k))."""
    return math.log(x) + y - x * math.log(y) + math.lgamma(x) + _log_p(x, y)


def _log_p(a: float, z: float) -> float:
    """log of the regularized lower incomplete gamma P(a, z) = γ(a, z)/Γ(a), for a > 0, z ≥ 0.

    The power series where z < a + 1 (in logs, so a tiny P does not underflow), else 1 − the continued
    fraction for Q(a, z) (modified Lentz), as in Numerical Recipes §6.2."""
    if z <= 0:
        return -math.inf
    log_front = a * math.log(z) - z - math.lgamma(a)
    if z < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        while abs(term) > abs(total) * _EPS:
            denominator += 1.0
            term *= z / denominator
            total += term
        return math.log(total) + log_front
    tiny = 1e-300
    b = z + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS or i > 10_000:
            break
    q = math.exp(log_front) * h
    return math.log1p(-q)


def _simpson(f: Callable[[float], float], low: float, high: float, intervals: int) -> float:
    """Composite Simpson's rule of `f` over [low, high] with an even number of `intervals`."""
    step = (high - low) / intervals
    total = f(low) + f(high)
    for i in range(1, intervals):
        total += (4.0 if i % 2 else 2.0) * f(low + i * step)
    return total * step / 3.0
