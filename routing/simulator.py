"""Discrete-event contact-center simulator running the production `Router`.

Poisson arrivals, exponential or lognormal handle times, exponential caller patience (abandonment),
wrap-up, relaxation steps — all through the same engine code the hotline uses, so a what-if answer
("two more agents with skill X", "route by quality") is an answer about the real router.
Times are seconds.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from routing.model import Agent, AgentStatus, Assignment, Call, RelaxStep


@dataclass(frozen=True)
class CallType:
    """A share of the traffic: `weight` (relative), required skills and relaxation steps."""

    weight: float
    skills: dict[str, int]
    language: str = "en"
    priority: int = 0
    steps: tuple[RelaxStep, ...] = ()


@dataclass(frozen=True)
class ReplayCall:
    """A recorded call: arrival offset (s from the first), required skills, handle time (s)."""

    at: float
    skills: dict[str, int]
    handle_s: float
    language: str = "en"
    priority: int = 0


@dataclass(frozen=True)
class Scenario:
    """What to simulate. `arrival_rate` in calls/s; `aht` mean handle time (s); `patience` mean (s) or
    None for callers who never hang up; `handle_sigma` is the lognormal shape (None → exponential)."""

    agents: tuple[Agent, ...]
    call_types: tuple[CallType, ...]
    arrival_rate: float
    aht: float
    n_calls: int
    patience: float | None = None
    handle_sigma: float | None = None
    wrap_up_s: float = 0.0
    sl_target_s: float = 20.0
    warmup_calls: int = 0
    replay: tuple[ReplayCall, ...] = ()
    """Recorded calls to replay instead of random arrivals (then `call_types`/`arrival_rate` are unused)."""


@dataclass
class TypeTally:
    """One kind of call's counts (calls needing the same skills)."""

    calls: int = 0
    answered: int = 0
    within_target: int = 0
    abandoned: int = 0
    total_wait_s: float = 0.0

    @property
    def service_level(self) -> float:
        return self.within_target / self.calls if self.calls else 0.0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.calls if self.calls else 0.0

    @property
    def asa(self) -> float:
        return self.total_wait_s / self.answered if self.answered else 0.0


def type_label(skills: dict[str, int]) -> str:
    """The `SimReport.by_type` key of calls needing `skills`: their names joined by '+'."""
    return "+".join(sorted(skills)) or "any"


@dataclass
class SimReport:
    strategy: str
    calls: int
    answered: int
    abandoned: int
    waited: int
    within_target: int
    total_wait_s: float
    duration_s: float
    busy_s: dict[str, float] = field(default_factory=dict)
    abandoned_wait_s: float = 0.0
    """Time the callers who hung up had waited (s)."""
    by_type: dict[str, TypeTally] = field(default_factory=dict)
    """The same counts per kind of call, keyed by `type_label` of the skills it needs."""

    @property
    def service_level(self) -> float:
        """Share of offered calls (abandoned included) answered within the target."""
        return self.within_target / self.calls if self.calls else 0.0

    @property
    def wait_probability(self) -> float:
        """Share of offered calls that waited: answered after a wait, or hung up waiting."""
        return self.waited / self.calls if self.calls else 0.0

    @property
    def asa(self) -> float:
        """Average speed of answer over answered calls (s)."""
        return self.total_wait_s / self.answered if self.answered else 0.0

    @property
    def mean_queue_s(self) -> float:
        """Mean time in queue over all offered calls, abandoners' wait included (s)."""
        return (self.total_wait_s + self.abandoned_wait_s) / self.calls if self.calls else 0.0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.calls if self.calls else 0.0

    @property
    def occupancy(self) -> dict[str, float]:
        return {a: busy / self.duration_s for a, busy in self.busy_s.items()} if self.duration_s else {}

    def summary(self) -> dict[str, float | str | int]:
        occ = list(self.occupancy.values())
        return {
            "strategy": self.strategy,
            "calls": self.calls,
            "service_level": round(self.service_level, 4),
            "asa_s": round(self.asa, 2),
            "wait_probability": round(self.wait_probability, 4),
            "abandon_rate": round(self.abandon_rate, 4),
            "mean_queue_s": round(self.mean_queue_s, 2),
            "occupancy_mean": round(sum(occ) / len(occ), 4) if occ else 0.0,
            "occupancy_min": round(min(occ), 4) if occ else 0.0,
            "occupancy_max": round(max(occ), 4) if occ else 0.0,
        }


PROGRESS_EVERY = 1_000
"""Arrivals between two calls of `simulate`'s progress callback."""


def simulate(
    scenario: Scenario,
    strategy: str = "longest-idle",
    *,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> SimReport:
    """Run one replication; the same seed gives the same report. `progress(n)` is told every
    PROGRESS_EVERY arrivals (and at the end) that n more calls arrived."""
    from routing.engine import Router  # the engine imports nothing from here; keeps the module order clear

    rng = random.Random(seed)
    router = Router(strategy, wrap_up_s=scenario.wrap_up_s, seed=seed)
    for template in scenario.agents:
        router.add_agent(replace(template, status=AgentStatus.AVAILABLE, skills=dict(template.skills)), 0.0)
    weights = [t.weight for t in scenario.call_types]
    events: list[tuple[float, int, str, str]] = []
    seq = itertools.count()
    arrivals: dict[str, float] = {}
    handle: dict[str, float] = {}
    counted: set[str] = set()
    tally: dict[str, TypeTally] = {}
    report = SimReport(strategy, 0, 0, 0, 0, 0, 0.0, 0.0, {a.id: 0.0 for a in scenario.agents})
    t = 0.0
    recorded = sorted(scenario.replay, key=lambda r: r.at)
    times: list[float] = []
    for i in range(len(recorded) if recorded else scenario.n_calls):
        t = recorded[i].at if recorded else t + rng.expovariate(scenario.arrival_rate)
        times.append(t)
        heapq.heappush(events, (t, next(seq), "arrive", f"c{i}"))
    # Occupancy is measured from the first counted arrival to the last arrival: the empty start and the
    # drain after the last arrival (agents idle while the last calls end) would both bias it low.
    window_start = times[min(scenario.warmup_calls, len(times) - 1)] if times else 0.0
    window_end = times[-1] if times else 0.0

    def start(decisions: Sequence[Assignment], now: float) -> None:
        for d in decisions:
            wait = now - arrivals[d.call_id]
            length = handle[d.call_id]
            heapq.heappush(events, (now + length, next(seq), "end", d.call_id))
            report.busy_s[d.agent_id] += max(0.0, min(now + length, window_end) - max(now, window_start))
            if d.call_id in counted:
                report.answered += 1
                report.total_wait_s += wait
                report.waited += wait > 0
                report.within_target += wait <= scenario.sl_target_s
                of_type = tally[d.call_id]
                of_type.answered += 1
                of_type.total_wait_s += wait
                of_type.within_target += wait <= scenario.sl_target_s

    now = 0.0
    while events:
        due = router.next_event_time()
        if due is not None and due <= events[0][0]:
            now = due
            start(router.tick(now), now)
            continue
        now, _, kind, call_id = heapq.heappop(events)
        if kind == "arrive":
            index = int(call_id[1:])
            if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
            if recorded:
                r = recorded[index]
                kind_of = CallType(1.0, r.skills, r.language, r.priority, scenario.call_types[0].steps)
                handle[call_id] = r.handle_s
            else:
                kind_of = rng.choices(scenario.call_types, weights)[0]
                handle[call_id] = _handle_time(rng, scenario)
            arrivals[call_id] = now
            if index >= scenario.warmup_calls:
                counted.add(call_id)
                report.calls += 1
                tally[call_id] = report.by_type.setdefault(type_label(kind_of.skills), TypeTally())
                tally[call_id].calls += 1
            if scenario.patience is not None:
                heapq.heappush(
                    events, (now + rng.expovariate(1 / scenario.patience), next(seq), "quit", call_id)
                )
            call = Call(
                call_id, dict(kind_of.skills), now, kind_of.language, kind_of.priority, steps=kind_of.steps
            )
            decision = router.arrive(call, now)
            start([decision] if decision else [], now)
        elif kind == "quit":
            if router.abandon(call_id) and call_id in counted:
                report.abandoned += 1
                report.waited += 1
                report.abandoned_wait_s += now - arrivals[call_id]
                tally[call_id].abandoned += 1
        else:
            start(router.end_call(call_id, now, talk_s=handle[call_id]), now)
    report.duration_s = window_end - window_start
    if progress is not None and (total := len(recorded) or scenario.n_calls) % PROGRESS_EVERY:
        progress(total % PROGRESS_EVERY)
    return report


def _handle_time(rng: random.Random, scenario: Scenario) -> float:
    if scenario.handle_sigma is None:
        return rng.expovariate(1 / scenario.aht)
    sigma = scenario.handle_sigma
    # Lognormal with the requested mean: mu = ln(mean) - sigma²/2.
    return rng.lognormvariate(math.log(scenario.aht) - sigma * sigma / 2, sigma)


def single_group(agents: int, load_erlangs: float, aht: float, n_calls: int, **kwargs: object) -> Scenario:
    """One skill, FIFO, identical agents: the M/M/N case Erlang C describes."""
    return Scenario(
        agents=tuple(Agent(f"a{i}", {"general": 3}) for i in range(agents)),
        call_types=(CallType(1.0, {"general": 1}),),
        arrival_rate=load_erlangs / aht,
        aht=aht,
        n_calls=n_calls,
        **kwargs,  # type: ignore[arg-type]
    )
