"""The simulator runs the real router; it agrees with Erlang C on M/M/N and with Erlang A on M/M/N+M."""

from __future__ import annotations

import statistics

import pytest

from routing.erlang import average_speed_of_answer, erlang_a_figures, erlang_c, service_level
from routing.model import Agent, RelaxStep
from routing.simulator import CallType, Scenario, simulate, single_group


def test_single_group_agrees_with_erlang_c_within_sampling_error() -> None:
    runs = [simulate(single_group(14, 10.0, 180.0, 20_000, warmup_calls=500), seed=s) for s in range(4)]
    pw = statistics.mean(r.wait_probability for r in runs)
    sl = statistics.mean(r.service_level for r in runs)
    asa = statistics.mean(r.asa for r in runs)
    # 4 × 20k calls: a few percent of sampling noise (the 10 × 200k validation is bench/erlang_c.py).
    assert pw == pytest.approx(erlang_c(14, 10.0), abs=0.02)
    assert sl == pytest.approx(service_level(14, 10.0, 180.0, 20.0), abs=0.02)
    assert asa == pytest.approx(average_speed_of_answer(14, 10.0, 180.0), rel=0.15)


def test_same_seed_same_report_and_strategies_compare_side_by_side() -> None:
    scenario = single_group(5, 4.0, 120.0, 3_000, patience=60.0)
    assert simulate(scenario, seed=3).summary() == simulate(scenario, seed=3).summary()
    reports = {s: simulate(scenario, s, seed=3).summary() for s in ("longest-idle", "fewest-calls", "random")}
    assert all(0 < float(r["abandon_rate"]) < 0.5 for r in reports.values())
    assert all(r["calls"] == 3_000 for r in reports.values())


def test_more_agents_with_the_skill_answers_what_if_questions() -> None:
    def scenario(extra: int) -> Scenario:
        agents = [Agent(f"g{i}", {"general": 3}) for i in range(6)]
        agents += [Agent(f"x{i}", {"spanish": 3, "general": 2}) for i in range(1 + extra)]
        return Scenario(
            agents=tuple(agents),
            call_types=(
                CallType(0.8, {"general": 1}),
                CallType(0.2, {"spanish": 2}, steps=(RelaxStep(after_s=120.0, widen=1),)),
            ),
            arrival_rate=5.0 / 180.0,
            aht=180.0,
            n_calls=4_000,
            patience=120.0,
            handle_sigma=0.6,
            wrap_up_s=10.0,
        )

    before, after = simulate(scenario(0), seed=1), simulate(scenario(2), seed=1)
    assert after.service_level > before.service_level
    assert after.abandon_rate < before.abandon_rate
    assert set(after.occupancy) == {f"g{i}" for i in range(6)} | {f"x{i}" for i in range(3)}


def test_with_patience_the_simulator_agrees_with_erlang_a() -> None:
    # pyworkforce's Erlang A example: 13 agents, 10 erlangs, AHT 180 s, patience 300 s. 3 × 20k calls: the
    # 10 × 100k check with confidence intervals is bench/erlang_a.py.
    theory = erlang_a_figures(13, 10.0, 180.0, 300.0, 20.0)
    scenario = single_group(13, 10.0, 180.0, 20_000, patience=300.0, warmup_calls=500)
    runs = [simulate(scenario, seed=s) for s in range(3)]
    assert statistics.mean(r.abandon_rate for r in runs) == pytest.approx(theory.abandonment, abs=0.006)
    assert statistics.mean(r.wait_probability for r in runs) == pytest.approx(
        theory.wait_probability, abs=0.03
    )
    assert statistics.mean(r.service_level for r in runs) == pytest.approx(theory.service_level, abs=0.02)
    occupancy = statistics.mean(statistics.mean(r.occupancy.values()) for r in runs)
    assert occupancy == pytest.approx(theory.occupancy, abs=0.01)
    # Abandoners waited too: they count in P(wait) and in the mean time in queue, not in the ASA.
    assert all(r.mean_queue_s > r.asa * (1 - r.abandon_rate) for r in runs)


def test_progress_is_told_every_arrival_once() -> None:
    told: list[int] = []
    simulate(single_group(3, 2.0, 60.0, 2_500), seed=1, progress=told.append)
    assert told == [1_000, 1_000, 500]
