"""The hotline's invariants, checked for longer than the test suite does: the hypothesis state machine
of tests/callqa/services/test_hotline_invariants.py (arrivals, answers, rejects, hang-ups at any moment,
escalations, warm transfers, agent state changes, skill and language edits, QA scores, restarts, time) run
for many more examples.

Usage: python -m bench.hotline_invariants [--examples 300] [--steps 50]
Prints the examples and steps run, and PASS, or the first failing sequence (shrunk) with FAIL.
"""

from __future__ import annotations

import argparse
import sys
import time

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.callqa.services.test_hotline_invariants import Counts, HotlineMachine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    started = time.monotonic()
    failure: BaseException | None = None
    try:
        run_state_machine_as_test(
            HotlineMachine,
            settings=settings(
                max_examples=args.examples,
                stateful_step_count=args.steps,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            ),
        )
    except Exception as exc:  # hypothesis has printed the shrunk sequence; report and fail
        failure = exc
    elapsed = time.monotonic() - started
    print(
        f"hotline invariants: {Counts.examples} examples, {Counts.steps} steps "
        f"({Counts.escalated} escalations, {Counts.consulted} consults, {Counts.transferred} warm transfers "
        f"completed) in {elapsed:.0f} s: "
        f"{'FAIL' if failure else 'PASS'}"
    )
    if failure:
        print(failure)
        sys.exit(1)


if __name__ == "__main__":
    main()
