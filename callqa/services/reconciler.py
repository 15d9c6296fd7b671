"""Broker mode: keeps the broker's messages in step with the jobs table, which is the truth.

Every `callqa worker` runs one in its main process; a database lease lets one of them act at a time (the
others only keep their worker's heartbeat row, which `/health` counts). Each round, the one that leads:
1. puts back `running` jobs whose heartbeat stopped (a worker machine died: its message may sit
   unacknowledged in the broker until the visibility timeout) and dead-letters those that used every
   attempt (`requeue_stale`);
2. sends a message for every queued job that has none yet (new, put back, or revived by an operator);
3. compares the messages waiting in the broker with the queued jobs that had one, and sends again for
   the oldest of the difference (a broker restarted without persistence loses its messages; see
   `possibly_lost`). A duplicate message is harmless: its delivery finds the job claimed or done.
4. runs the workers' periodic work when due (the retention purge, the sampling plans' draws), which the
   Celery pool processes never do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.jobs import dispatchable, mark_dispatched, possibly_lost, requeue_stale
from callqa.services.leader import LeaderLease
from callqa.services.worker import PeriodicTask, PeriodicTasks
from models import WorkerBeat, session_scope, utcnow

log = logging.getLogger("callqa.reconciler")

BATCH = 500
"""Most messages sent per step and round (a large backlog is sent over several rounds)."""


@dataclass(frozen=True)
class Round:
    """What one reconcile round did; `led` is False when another process holds the lease."""

    led: bool
    requeued: int = 0
    sent_new: int = 0
    sent_again: int = 0


class Reconciler:
    """`send(job_id)` publishes a message for a job; `waiting()` counts the messages the broker holds not
    yet taken. `node_id` names this worker in `worker_beats`; `stale_after_s` as for `Worker`;
    `redispatch_after_s`: a queued job's message younger than this is never sent again. `periodic`:
    (interval in s, task) pairs run while this process leads (callqa.services.processing.periodic_tasks)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        send: Callable[[int], object],
        waiting: Callable[[], int],
        lease: LeaderLease,
        node_id: str,
        stale_after_s: float,
        redispatch_after_s: float,
        periodic: Sequence[tuple[float, PeriodicTask]] = (),
    ) -> None:
        self._factory = factory
        self._send = send
        self._waiting = waiting
        self._lease = lease
        self.node_id = node_id
        self._stale_after_s = stale_after_s
        self._redispatch_after_s = redispatch_after_s
        self._periodic = PeriodicTasks(factory, periodic, owner=node_id)

    def run_once(self) -> Round:
        """Beat, then reconcile if this process leads. Database and broker errors propagate."""
        with session_scope(self._factory) as session:
            session.merge(WorkerBeat(worker_id=self.node_id, heartbeat_at=utcnow(), job_id=None))
        if not self._lease.keep():
            return Round(led=False)
        with session_scope(self._factory) as session:
            requeued = requeue_stale(session, stale_after_s=self._stale_after_s)
        with session_scope(self._factory) as session:
            fresh = dispatchable(session, limit=BATCH)
        sent_new = self._send_all(fresh)
        waiting = self._waiting()
        with session_scope(self._factory) as session:
            lost = possibly_lost(
                session, waiting_in_broker=waiting, sent_before_s=self._redispatch_after_s, limit=BATCH
            )
        sent_again = self._send_all(lost)
        self._periodic.run_due()
        if requeued or sent_again:
            log.warning(
                "reconciler: %d job(s) of dead workers put back, %d message(s) sent again "
                "(%d waiting in the broker)",
                requeued,
                sent_again,
                waiting,
            )
        return Round(True, requeued, sent_new, sent_again)

    def run_forever(self, stop: threading.Event, *, every_s: float) -> None:
        """Rounds every `every_s` seconds until `stop`; errors are logged and the next round tries again.
        On the way out the heartbeat row is removed and the lease given up."""
        try:
            while not stop.is_set():
                try:
                    self.run_once()
                except Exception as exc:
                    first = str(exc).splitlines()[0] if str(exc) else ""
                    log.warning("reconciler: %s: %s", type(exc).__name__, first)
                stop.wait(every_s)
        finally:
            self.retire()

    def retire(self) -> None:
        """Remove this worker's heartbeat row and give the lease up (clean shutdown)."""
        try:
            with session_scope(self._factory) as session:
                session.execute(delete(WorkerBeat).where(WorkerBeat.worker_id == self.node_id))
            if self._lease.held:
                self._lease.release()
        except Exception as exc:  # the row ages out and the lease expires
            log.warning("reconciler: not retired cleanly: %s", type(exc).__name__)

    def _send_all(self, job_ids: list[int]) -> int:
        """Send a message per job, recording each that went out; stops at the first broker error (raised
        after what was sent is recorded)."""
        sent: list[int] = []
        try:
            for job_id in job_ids:
                self._send(job_id)
                sent.append(job_id)
        finally:
            with session_scope(self._factory) as session:
                mark_dispatched(session, sent)
        return len(sent)
