"""Routing decision latency with a large floor: 10,000 agents, 200 skills, 10,000 waiting calls.

Measures the two decisions a live hotline makes: a call arriving (find the best free agent) and an
agent becoming free (find the best waiting call they can take). Prints p50/p99 latency and decisions/s.
Usage: python bench/routing_speed.py [--agents 10000] [--skills 200] [--waiting 10000] [--decisions 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from routing.engine import Router
from routing.model import Agent, AgentStatus, Call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--skills", type=int, default=200)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--strategy", default="longest-idle")
    args = parser.parse_args()
    rng = random.Random(42)
    skills = [f"skill{i}" for i in range(args.skills)]
    router = Router(args.strategy)
    agents = []
    for i in range(args.agents):
        own = {s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(1, 4))}
        agents.append(
            Agent(f"a{i}", own, status=AgentStatus.BREAK, quality={s: rng.uniform(50, 100) for s in own})
        )
        router.add_agent(agents[-1], 0.0)
    now = 0.0
    for i in range(args.waiting):  # everybody on break: the calls queue up
        need = {s: rng.randint(1, 3) for s in rng.sample(skills, rng.choice((1, 1, 1, 2)))}
        router.arrive(Call(f"w{i}", need, now, priority=rng.choice((0, 0, 0, 1))), now)
        now += 0.01
    # Half the floor comes back: each return is a decision over the 10k waiting calls.
    latencies: list[float] = []
    back = rng.sample(agents, args.agents // 2)
    half = min(len(back), args.decisions // 2)
    for a in back[:half]:
        now += 0.01
        t0 = time.perf_counter_ns()
        router.set_status(a.id, AgentStatus.AVAILABLE, now)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    # Then arrivals, each a decision over the free agents.
    for i in range(args.decisions - half):
        now += 0.01
        need = {s: 1 for s in rng.sample(skills, 1)}
        t0 = time.perf_counter_ns()
        router.arrive(Call(f"n{i}", need, now), now)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    per_s = len(latencies) / (sum(latencies) / 1000)
    print(
        f"routing ({args.strategy}): {args.agents} agents, {args.skills} skills, {args.waiting} waiting calls"
    )
    print(f"decisions: {len(latencies)}  p50 {p50:.3f} ms  p99 {p99:.3f} ms  max {latencies[-1]:.3f} ms")
    print(
        f"throughput: {per_s:,.0f} decisions/s  (targets: p99 <= 1 ms: {'PASS' if p99 <= 1 else 'FAIL'}; "
        f">= 5,000/s: {'PASS' if per_s >= 5000 else 'FAIL'})"
    )


if __name__ == "__main__":
    main()
