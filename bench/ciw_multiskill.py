"""One multi-skill scenario, two independent simulators: callqa's (the production `Router`) and ciw's.

Scenario: general calls (75 %) and Spanish calls (25 %), 7 erlangs in all, AHT 180 s exponential,
exponential patience with mean 300 s; 6 generalists (general only) and 3 bilingual agents (Spanish and
general). Routing, as the router does it with `longest-idle`: an arriving call goes to the free eligible
agent idle longest; an agent who becomes free takes the eligible waiting call that arrived first.

ciw (PyPI, a discrete-event queueing library) simulates the arrivals, services, abandonment (reneging) and
records; its one node gets the two routing rules above through a Node subclass (ciw itself has no skills).
No closed form exists for this case, so the two simulators are compared with each other: per figure, each
one's mean over replications with a 95 % confidence interval (Student t), the difference, and PASS when
the 99 % interval of the difference covers 0 or the difference is within a practical tolerance (±0.01 for
shares, 5 % for times). Usage: python bench/ciw_multiskill.py [--runs 8] [--calls 40000]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Any

import ciw
from scipy.stats import t as student_t

from routing.model import Agent
from routing.simulator import CallType, Scenario, simulate

AHT_S = 180.0
PATIENCE_S = 300.0
LOAD_ERLANGS = 7.0
SPANISH_SHARE = 0.25
GENERALISTS, BILINGUALS = 6, 3
TARGET_S = 20.0
SERVES = {"general": {"general"}, "bilingual": {"general", "spanish"}}


def _router_run(calls: int, seed: int) -> dict[str, float]:
    agents = [Agent(f"g{i}", {"general": 3}) for i in range(GENERALISTS)]
    agents += [Agent(f"b{i}", {"general": 2, "spanish": 3}) for i in range(BILINGUALS)]
    scenario = Scenario(
        agents=tuple(agents),
        call_types=(CallType(1 - SPANISH_SHARE, {"general": 1}), CallType(SPANISH_SHARE, {"spanish": 1})),
        arrival_rate=LOAD_ERLANGS / AHT_S,
        aht=AHT_S,
        n_calls=calls,
        patience=PATIENCE_S,
        sl_target_s=TARGET_S,
        warmup_calls=calls // 50,
    )
    report = simulate(scenario, "longest-idle", seed=seed)
    occupancy = report.occupancy
    figures = {
        "SL all": report.service_level,
        "abandoned all": report.abandon_rate,
        "ASA all s": report.asa,
        "occupancy general": statistics.mean(occupancy[f"g{i}"] for i in range(GENERALISTS)),
        "occupancy bilingual": statistics.mean(occupancy[f"b{i}"] for i in range(BILINGUALS)),
    }
    for label in ("general", "spanish"):
        tally = report.by_type[label]
        figures[f"SL {label}"] = tally.service_level
        figures[f"abandoned {label}"] = tally.abandon_rate
        figures[f"ASA {label} s"] = tally.asa
    return figures


class SkillNode(ciw.Node):  # type: ignore[misc]
    """A ciw node whose servers have skills: servers 1..GENERALISTS serve general calls, the rest both.
    Arrival: the free eligible server idle longest; release: the freed server takes the earliest eligible
    waiting call."""

    def create_starting_servers(self) -> list[Any]:
        servers: list[Any] = super().create_starting_servers()
        for server in servers:
            server.kind = "general" if server.id_number <= GENERALISTS else "bilingual"
            server.idle_since = 0.0
        return servers

    def find_free_server(self, ind: Any) -> Any:
        free = [s for s in self.servers if not s.busy and ind.customer_class in SERVES[s.kind]]
        return min(free, key=lambda s: (s.idle_since, s.id_number)) if free else None

    def _start(self, server: Any, ind: Any) -> None:
        self.attach_server(server, ind)
        ind.service_start_date = self.now
        ind.service_time = self.get_service_time(ind)
        ind.service_end_date = self.now + ind.service_time
        self.number_in_service += 1
        server.next_end_service_date = ind.service_end_date

    def begin_service_if_possible_accept(self, next_individual: Any) -> None:
        next_individual.arrival_date = self.now
        if self.reneging is True:
            next_individual.reneging_date = self.get_reneging_date(next_individual)
        server = self.find_free_server(next_individual)
        if server is not None:
            self._start(server, next_individual)

    def begin_service_if_possible_release(self, next_individual: Any, newly_free_server: Any) -> None:
        server = newly_free_server
        if server is None or server not in self.servers:
            return
        waiting = [
            ind
            for queue in self.individuals
            for ind in queue
            if not ind.server and ind.customer_class in SERVES[server.kind]
        ]
        if waiting:
            self._start(server, min(waiting, key=lambda ind: (ind.arrival_date, ind.id_number)))
        else:
            server.idle_since = self.now


def _ciw_run(calls: int, seed: int) -> dict[str, float]:
    rate = LOAD_ERLANGS / AHT_S
    network = ciw.create_network(
        arrival_distributions={
            "general": [ciw.dists.Exponential(rate * (1 - SPANISH_SHARE))],
            "spanish": [ciw.dists.Exponential(rate * SPANISH_SHARE)],
        },
        service_distributions={
            "general": [ciw.dists.Exponential(1 / AHT_S)],
            "spanish": [ciw.dists.Exponential(1 / AHT_S)],
        },
        reneging_time_distributions={
            "general": [ciw.dists.Exponential(1 / PATIENCE_S)],
            "spanish": [ciw.dists.Exponential(1 / PATIENCE_S)],
        },
        number_of_servers=[GENERALISTS + BILINGUALS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network, node_class=SkillNode)
    horizon = calls / rate
    sim.simulate_until_max_time(horizon)
    start = horizon / 50  # the same warm-up share as the router's run
    records = [r for r in sim.get_all_records() if r.arrival_date >= start]
    figures: dict[str, float] = {}
    for label, classes in (
        ("all", {"general", "spanish"}),
        ("general", {"general"}),
        ("spanish", {"spanish"}),
    ):
        mine = [r for r in records if r.customer_class in classes]
        served = [r for r in mine if r.record_type == "service"]
        reneged = [r for r in mine if r.record_type == "renege"]
        offered = len(served) + len(reneged)
        figures[f"SL {label}"] = sum(r.waiting_time <= TARGET_S for r in served) / offered
        figures[f"abandoned {label}"] = len(reneged) / offered
        figures[f"ASA {label}" + " s"] = statistics.mean(r.waiting_time for r in served)
    node = sim.nodes[1]
    for kind in ("general", "bilingual"):
        busy = [
            sum(
                max(0.0, min(r.exit_date, horizon) - max(r.service_start_date, start))
                for r in records
                if r.record_type == "service" and r.server_id == s.id_number
            )
            for s in node.servers
            if s.kind == kind
        ]
        figures[f"occupancy {kind}"] = statistics.mean(busy) / (horizon - start)
    return figures


def _ci(values: list[float], level: float) -> tuple[float, float]:
    mean = statistics.mean(values)
    quantile = float(student_t.ppf(0.5 + level / 2, len(values) - 1))
    return mean, quantile * statistics.stdev(values) / math.sqrt(len(values))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--calls", type=int, default=40_000)
    args = parser.parse_args()
    started = time.perf_counter()
    ours = [_router_run(args.calls, seed) for seed in range(args.runs)]
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = [_ciw_run(args.calls, 1000 + seed) for seed in range(args.runs)]
    theirs_s = time.perf_counter() - started
    print(
        f"{GENERALISTS} generalists + {BILINGUALS} bilingual, {LOAD_ERLANGS:g} erlangs "
        f"({SPANISH_SHARE:.0%} Spanish), AHT {AHT_S:g} s, patience {PATIENCE_S:g} s, "
        f"{args.runs} runs x {args.calls} calls"
    )
    print(f"{'figure':<20} {'callqa':>9} {'±95%':>7} {'ciw':>9} {'±95%':>7} {'diff':>8}  verdict")
    failures = 0
    for figure in ours[0]:
        a, a_half = _ci([r[figure] for r in ours], 0.95)
        b, b_half = _ci([r[figure] for r in theirs], 0.95)
        _, a99 = _ci([r[figure] for r in ours], 0.99)
        _, b99 = _ci([r[figure] for r in theirs], 0.99)
        tolerance = 0.05 * b if figure.endswith(" s") else 0.01
        ok = abs(a - b) <= max(math.hypot(a99, b99), tolerance)
        failures += not ok
        print(
            f"{figure:<20} {a:9.4f} {a_half:7.4f} {b:9.4f} {b_half:7.4f} {a - b:8.4f}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(
        f"callqa {ours_s:.1f} s, ciw {theirs_s:.1f} s; "
        + ("all PASS" if not failures else f"{failures} FAIL")
    )


if __name__ == "__main__":
    main()
