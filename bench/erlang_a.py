"""Simulator vs Erlang A: single skill group, FIFO, longest-idle, exponential handle times and exponential
caller patience (abandonment).

Prints, per scenario, each figure's theory (routing/erlang.py closed forms), the simulated mean over
replications with its 95 % confidence interval (Student t), whether the theory lies inside that interval,
and a verdict: PASS when the theory is inside the 99 % interval or within a practical tolerance (±0.005 for
shares, 2 % for times). The first scenario is pyworkforce's published Erlang A example (13 agents,
100 calls / 30 min, AHT 180 s, patience 5 min). Usage: python bench/erlang_a.py [--runs 10] [--calls 100000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from scipy.stats import t as student_t

from routing.erlang import erlang_a_figures
from routing.simulator import SimReport, simulate, single_group

SCENARIOS = (
    # agents, erlangs, AHT s, mean patience s
    (13, 10.0, 180.0, 300.0),
    (8, 10.0, 180.0, 300.0),  # overloaded: stable only because callers hang up
    (55, 50.0, 240.0, 60.0),  # impatient callers, a larger group
)


def _ci(values: list[float], level: float) -> tuple[float, float]:
    """Mean and the half-width of its Student-t confidence interval at `level` (few replications)."""
    mean = statistics.mean(values)
    if len(values) < 2:
        return mean, 0.0
    quantile = float(student_t.ppf(0.5 + level / 2, len(values) - 1))
    return mean, quantile * statistics.stdev(values) / len(values) ** 0.5


def _occupancy(report: SimReport) -> float:
    values = list(report.occupancy.values())
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{'case':<30} {'metric':<10} {'theory':>9} {'sim':>9} {'±95%':>8}  in CI  verdict")
    failures = 0
    for agents, load, aht, patience in SCENARIOS:
        theory = erlang_a_figures(agents, load, aht, patience, 20.0)
        started = time.perf_counter()
        scenario = single_group(
            agents, load, aht, args.calls, patience=patience, warmup_calls=args.calls // 100
        )
        reports = [simulate(scenario, seed=s) for s in range(args.runs)]
        elapsed = time.perf_counter() - started
        case = f"N={agents} A={load:g} AHT={aht:g} P={patience:g}"
        for metric, expected, values, tolerance in (
            ("P(wait)", theory.wait_probability, [r.wait_probability for r in reports], 0.005),
            ("SL20", theory.service_level, [r.service_level for r in reports], 0.005),
            ("abandoned", theory.abandonment, [r.abandon_rate for r in reports], 0.005),
            ("ASA s", theory.asa_s, [r.asa for r in reports], 0.02 * theory.asa_s),
            ("queue s", theory.mean_queue_s, [r.mean_queue_s for r in reports], 0.02 * theory.mean_queue_s),
            ("occupancy", theory.occupancy, [_occupancy(r) for r in reports], 0.005),
        ):
            mean, half = _ci(values, 0.95)
            _, half99 = _ci(values, 0.99)
            inside = abs(mean - expected) <= half
            ok = abs(mean - expected) <= max(half99, tolerance)
            failures += not ok
            print(
                f"{case:<30} {metric:<10} {expected:9.4f} {mean:9.4f} {half:8.4f}  "
                f"{'yes' if inside else 'no':<5}  {'PASS' if ok else 'FAIL'}"
            )
        print(
            f"{case:<30} {args.runs} runs x {args.calls} calls in {elapsed:.1f} s "
            f"({args.runs * args.calls / elapsed:,.0f} simulated calls/s)"
        )
    print("all PASS" if not failures else f"{failures} FAIL")


if __name__ == "__main__":
    main()
