"""Erlang B/C/A against published values and against the M/M/N+M balance equations."""

from __future__ import annotations

import math

import pytest

from routing.erlang import (
    _log_p,
    agents_for_service_level,
    average_speed_of_answer,
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
    service_level,
)


def test_erlang_b_matches_the_published_table() -> None:
    # Standard Erlang B table: 10 erlangs on 10 lines blocks 21.46 %; 5 erlangs on 10 lines 1.84 %.
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=1e-4)
    assert erlang_b(10, 5.0) == pytest.approx(0.01838, abs=1e-4)
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_c_worked_example() -> None:
    # 10 erlangs, 14 agents, 180 s handle time: Pw 0.1741, SL(20 s) 0.888, ASA 7.84 s.
    assert erlang_c(14, 10.0) == pytest.approx(0.1741, abs=1e-4)
    assert service_level(14, 10.0, 180.0, 20.0) == pytest.approx(0.888, abs=1e-3)
    assert average_speed_of_answer(14, 10.0, 180.0) == pytest.approx(7.84, abs=0.01)


def test_overload_means_everyone_waits_forever() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert service_level(10, 12.0, 180.0, 20.0) == 0.0
    assert math.isinf(average_speed_of_answer(9, 10.0, 180.0))


def test_staffing_for_a_service_level_goal() -> None:
    agents = agents_for_service_level(10.0, 180.0, 20.0, 0.80)
    assert service_level(agents, 10.0, 180.0, 20.0) >= 0.80
    assert service_level(agents - 1, 10.0, 180.0, 20.0) < 0.80
    assert agents == 14


def _birth_death(agents: int, load: float, aht: float, patience: float) -> tuple[float, float, float]:
    """P(wait), P(abandon) and mean time in queue (s) of M/M/N+M from its balance equations alone: an
    independent check of the closed forms (state k: k callers in the system; up-rate λ, down-rate
    min(k, N)·μ + max(k − N, 0)·θ; abandonments leave at θ·Lq, so P(abandon) = θ·Lq/λ)."""
    lam, mu, theta = load / aht, 1.0 / aht, 1.0 / patience
    weights = [1.0]
    while len(weights) <= agents or weights[-1] > 1e-18 * sum(weights):
        k = len(weights)
        weights.append(weights[-1] * lam / (min(k, agents) * mu + max(k - agents, 0) * theta))
    total = sum(weights)
    wait = sum(weights[agents:]) / total
    queue = sum((k - agents) * w for k, w in enumerate(weights) if k > agents) / total
    return wait, theta * queue / lam, queue / lam


def test_incomplete_gamma_matches_scipy() -> None:
    from scipy.special import gammainc

    for a, z in ((21.67, 16.67), (0.5, 0.1), (5.0, 50.0), (1000.0, 1200.0), (300.0, 280.0)):
        assert math.exp(_log_p(a, z)) == pytest.approx(float(gammainc(a, z)), rel=1e-10)
    assert _log_p(500.0, 3.0) < -1000  # far below what a float holds, still finite in logs


@pytest.mark.parametrize(
    ("agents", "load", "aht", "patience"),
    [(13, 10.0, 180.0, 300.0), (8, 10.0, 180.0, 300.0), (55, 50.0, 240.0, 60.0), (3, 1.0, 300.0, 900.0)],
)
def test_erlang_a_closed_forms_agree_with_the_balance_equations(
    agents: int, load: float, aht: float, patience: float
) -> None:
    figures = erlang_a_figures(agents, load, aht, patience, 20.0)
    wait, abandon, queue = _birth_death(agents, load, aht, patience)
    assert figures.wait_probability == pytest.approx(wait, rel=1e-9)
    assert figures.abandonment == pytest.approx(abandon, rel=1e-9)
    assert figures.mean_queue_s == pytest.approx(queue, rel=1e-9)
    # Answered load: what the agents are busy with.
    assert figures.occupancy == pytest.approx(load * (1 - abandon) / agents, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_as_callers_grow_patient() -> None:
    a = erlang_a_figures(13, 10.0, 180.0, 1e6, 20.0)
    c = erlang_c_figures(13, 10.0, 180.0, 20.0)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-4)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-3)


def test_erlang_a_overloaded_is_stable_and_sheds_the_excess() -> None:
    # 100 erlangs on 50 agents: with patience the queue stays finite, and about half the callers leave
    # (fluid limit 1 − N/load); the agents are always busy.
    figures = erlang_a_figures(50, 100.0, 180.0, 60.0, 20.0)
    assert figures.overloaded
    assert figures.abandonment == pytest.approx(0.5, abs=0.01)
    assert figures.occupancy == pytest.approx(1.0, abs=1e-3)
    assert figures.service_level < 0.1


def test_answered_asa_is_below_the_mean_time_in_queue_of_all_callers() -> None:
    # Abandoners are the callers who waited longest: leaving them out lowers the mean wait.
    figures = erlang_a_figures(13, 10.0, 180.0, 300.0, 20.0)
    assert figures.asa_s == pytest.approx(6.914, abs=1e-3)
    assert figures.mean_queue_s == pytest.approx(7.489, abs=1e-3)
    # E[wait] over everyone = P(abandon)/θ (Little on the queue).
    assert figures.mean_queue_s == pytest.approx(figures.abandonment * 300.0)
