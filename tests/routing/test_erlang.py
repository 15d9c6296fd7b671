"""Erlang B/C against published values."""

from __future__ import annotations

import math

import pytest

from routing.erlang import (
    agents_for_service_level,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
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
