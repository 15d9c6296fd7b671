"""`callqa staff` answers the planner's question; `callqa simulate` takes calls per interval, shows its
progress and warns when the agents cannot carry the load."""

from __future__ import annotations

import json
import os

from tests.conftest import callqa_ok, run_callqa

WIDE = {**os.environ, "COLUMNS": "220"}


def test_staff_prints_erlang_c_and_erlang_a_plans() -> None:
    done = callqa_ok(
        *("staff", "--calls", "100", "--interval", "30m", "--aht", "180", "--sl", "80/20"),
        *("--shrinkage", "0.3", "--max-occupancy", "0.85", "--patience", "300"),
        env=WIDE,
    )
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if "│ Erlang" in line}
    c = [cell.strip() for cell in rows["Erlang C"].split("│")[1:-1]]
    a = [cell.strip() for cell in rows["Erlang A"].split("│")[1:-1]]
    assert c[1:6] == ["14", "20", "0.8884", "7.84", "7.84"]
    assert a[1:4] == ["13", "19", "0.8582"] and a[8] == "2.50%"


def test_staff_json_and_bad_input() -> None:
    done = callqa_ok("staff", "--calls", "200", "--interval", "1h", "--aht", "300", "--sl", "90/30", "--json")
    [plan] = json.loads(done.stdout)
    assert plan["load_erlangs"] == 200 * 300 / 3600
    assert plan["figures"]["service_level"] >= 0.9
    assert plan["figures"]["model"] == "Erlang C" and plan["scheduled"] == plan["agents"]
    bad = run_callqa("staff", "--calls", "100", "--interval", "half an hour")
    assert bad.returncode != 0 and "not a duration" in bad.stderr


def test_simulate_from_calls_per_interval_beside_erlang_a() -> None:
    done = callqa_ok(
        *("simulate", "--agents", "13", "--calls-per-interval", "100", "--interval", "30m"),
        *("--patience", "300", "--calls", "3000", "--strategy", "longest-idle"),
        env=WIDE,
    )
    assert "Erlang A (theory)" in done.stdout and "0.858" in done.stdout and "10 erlangs" in done.stdout
    assert "3000/3000" in done.stderr  # the progress bar, on stderr
    assert "warning" not in done.stderr


def test_simulate_warns_when_overloaded() -> None:
    done = callqa_ok(
        "simulate", "--agents", "8", "--load", "10", "--calls", "2000", "--strategy", "random", env=WIDE
    )
    assert "warning: overloaded: 10 erlangs offered to 8 agents" in " ".join(done.stderr.split())
    assert "Erlang C needs 14 agents" in " ".join(done.stderr.split())
