"""Simulator vs Erlang C: single skill group, FIFO, longest-idle, exponential handle times, no abandonment.

Prints, per scenario, the simulated wait probability, service level and ASA (mean and 95 % CI over
replications) beside the theory, and whether each is within the target (±0.005 abs for Pw and SL,
5 % for ASA). Usage: python bench/erlang_c.py [--runs 10] [--calls 200000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from routing.erlang import average_speed_of_answer, erlang_c, service_level
from routing.simulator import simulate, single_group


def _ci(values: list[float]) -> tuple[float, float]:
    mean = statistics.mean(values)
    half = 1.96 * statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return mean, half


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()
    print(f"{'case':<22} {'metric':<6} {'theory':>8} {'sim':>8} {'±95%':>7}  in CI  target")
    for agents, load, aht in ((14, 10.0, 180.0), (5, 4.0, 300.0), (55, 50.0, 240.0)):
        started = time.perf_counter()
        reports = [
            simulate(single_group(agents, load, aht, args.calls, warmup_calls=args.calls // 100), seed=s)
            for s in range(args.runs)
        ]
        elapsed = time.perf_counter() - started
        case = f"N={agents} A={load:g} AHT={aht:g}"
        for metric, theory, values, tol in (
            ("Pw", erlang_c(agents, load), [r.wait_probability for r in reports], 0.005),
            ("SL20", service_level(agents, load, aht, 20.0), [r.service_level for r in reports], 0.005),
            ("ASA", average_speed_of_answer(agents, load, aht), [r.asa for r in reports], None),
        ):
            mean, half = _ci(values)
            inside = abs(mean - theory) <= half
            ok = abs(mean - theory) <= (tol if tol is not None else 0.05 * theory)
            verdict = "PASS" if ok else "FAIL"
            in_ci = "yes" if inside else "no"
            print(f"{case:<22} {metric:<6} {theory:8.4f} {mean:8.4f} {half:7.4f}  {in_ci:<5}  {verdict}")
        print(
            f"{case:<22} {args.runs} runs x {args.calls} calls in {elapsed:.1f} s "
            f"({args.runs * args.calls / elapsed:,.0f} simulated calls/s)"
        )


if __name__ == "__main__":
    main()
