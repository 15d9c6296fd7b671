"""The worker loop that drains the job queue, supervised so that it outlives database trouble.

- A database error in the loop (a locked SQLite file, a lost PostgreSQL connection, an exhausted pool)
  is logged and retried with exponential backoff; the loop never dies of it.
- Each worker keeps a `worker_beats` row fresh (what `/health` reads) and, on a timer, requeues jobs
  whose worker died, also while it is busy with a long job of its own.
- `run_until_signalled`: SIGTERM/SIGINT let the job in hand finish; if it has not finished within the
  grace period (or a second signal comes) the job is handed back to the queue and the process exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from types import FrameType

from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.jobs import claim_job, claim_next, finish_job, hand_back, requeue_stale
from models import Job, WorkerBeat, session_scope, utcnow

log = logging.getLogger("callqa.services.worker")

JobHandler = Callable[[Session, Job], None]
PeriodicTask = Callable[[Session], None]

# Failures of the database rather than of the job: the job goes back to the queue, the loop backs off.
TRANSIENT_DB_ERRORS = (OperationalError, PoolTimeoutError)


class PeriodicTasks:
    """(interval in s, task) pairs, each run by `run_due` when its interval has passed since its last run
    (the first call runs them all), in a transaction of its own; a failing task is logged (naming `owner`)
    and tried again at its next interval. Used by the worker's housekeeping and the broker mode's
    reconciler.

    A transient database error (TRANSIENT_DB_ERRORS) is one warning line, no traceback: it is expected
    where workers run the same task at once, e.g. two sampling draws on SQLite, where the one whose
    snapshot the other's commit made stale is refused ("database is locked"); the next run redoes it."""

    def __init__(
        self, factory: sessionmaker[Session], tasks: Sequence[tuple[float, PeriodicTask]], *, owner: str
    ) -> None:
        self._factory = factory
        self._tasks = list(tasks)
        self._next = [0.0] * len(self._tasks)
        self._owner = owner

    def run_due(self) -> None:
        now = time.monotonic()
        for i, (every_s, task) in enumerate(self._tasks):
            if now >= self._next[i]:
                self._next[i] = now + every_s
                name = getattr(task, "__name__", task)
                try:
                    with session_scope(self._factory) as session:
                        task(session)
                except TRANSIENT_DB_ERRORS as exc:
                    log.warning(
                        "worker %s: periodic task %s not done this time (%s); it runs again in %g s",
                        self._owner,
                        name,
                        _describe(exc),
                        every_s,
                    )
                except Exception:
                    log.exception("worker %s: periodic task %s failed", self._owner, name)


class Worker:
    """Drains the job queue with `handlers[job.kind]`, one job at a time, committing after each job.

    `stale_after_s`: a running job (or worker) whose heartbeat is older is taken for dead; heartbeats are
    written every quarter of it. `recover_every_s`: how often orphaned jobs are looked for.
    `max_backoff_s`: the longest pause between retries while the database fails. `retryable`: errors of a
    job that hand it back and propagate (to a caller that retries it later, as the broker's task does)
    instead of failing its call; database failures always do. `periodic`: (interval in
    s, task) pairs run from the housekeeping timer in a transaction of their own (the daily retention
    purge); a failing task is logged and tried again at its next interval.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        handlers: dict[str, JobHandler],
        *,
        poll_s: float = 1.0,
        stale_after_s: float = 120.0,
        recover_every_s: float = 30.0,
        max_backoff_s: float = 30.0,
        worker_id: str | None = None,
        retryable: tuple[type[Exception], ...] = (),
        periodic: Sequence[tuple[float, PeriodicTask]] = (),
    ) -> None:
        self._sessions = session_factory
        self._handlers = handlers
        self._poll_s = poll_s
        self._stale_after_s = stale_after_s
        self._beat_s = max(0.1, stale_after_s / 4)
        self._recover_every_s = recover_every_s
        self._max_backoff_s = max_backoff_s
        self._hand_back_on: tuple[type[Exception], ...] = (*TRANSIENT_DB_ERRORS, *retryable)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.job_id: int | None = None  # the job in hand
        self._house_lock = threading.Lock()
        self._next_beat = 0.0
        self._next_recovery = 0.0
        self._periodic = PeriodicTasks(session_factory, periodic, owner=self.worker_id)
        # Held while a job's results commit, and while an abandoned job is handed back: never both.
        self._commit_lock = threading.Lock()
        self._abandoned = False
        self._looping = False  # heartbeat rows only for workers in `run_forever` (they remove them on exit)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory this worker uses."""
        return self._sessions

    # ----- the loop ------------------------------------------------------------------------------------
    def run_forever(self, stop: threading.Event) -> None:
        """Process jobs until `stop` is set; database errors are logged and retried with backoff."""
        backoff = self._poll_s
        self._looping = True
        try:
            while not stop.is_set():
                try:
                    self.housekeeping()
                    ran = self.run_once()
                except Exception as exc:
                    log.error(
                        "worker %s: %s: %s; retrying in %.1f s",
                        self.worker_id,
                        type(exc).__name__,
                        exc,
                        backoff,
                    )
                    stop.wait(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    continue
                backoff = self._poll_s
                if not ran:
                    stop.wait(self._poll_s)
        finally:
            self._looping = False
            self._retire()

    def run_once(self) -> bool:
        """Run one queued job if there is one; returns whether a job was run."""
        with session_scope(self._sessions) as session:
            job = claim_next(session, worker_id=self.worker_id)
            job_id = job.id if job else None
        if job_id is None:
            return False
        self._run_claimed(job_id)
        return True

    def run_job(self, job_id: int, *, task_id: str) -> str:
        """Run job `job_id` for the broker message `task_id` (see `claim_job`). Returns "done" or "failed"
        when it ran here, "dead" when its runs were lost too often, "skipped" when it was not this
        message's to run (a duplicate delivery), "superseded" when another worker took it over meanwhile.
        Raises what `run_once` hands back (database trouble, `retryable` errors) after handing it back."""
        with session_scope(self._sessions) as session:
            job = claim_job(session, job_id, worker_id=self.worker_id, task_id=task_id)
            status = "skipped" if job is None else job.status
        if status != "running":
            return status
        return self._run_claimed(job_id)

    def _run_claimed(self, job_id: int) -> str:
        self.job_id = job_id
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop_beat), daemon=True)
        beat.start()
        try:
            return self._execute(job_id)
        finally:
            stop_beat.set()
            beat.join()
            self.job_id = None

    def recover(self) -> int:
        """Requeue jobs orphaned by dead workers; returns how many."""
        with session_scope(self._sessions) as session:
            count = requeue_stale(session, stale_after_s=self._stale_after_s)
        if count:
            log.info("requeued %d job(s) left by a dead worker", count)
        return count

    def housekeeping(self) -> None:
        """Refresh this worker's heartbeat row and, when due, requeue orphaned jobs (timer-driven, so a
        busy queue does not postpone it). Called by the loop and by a running job's heartbeat thread."""
        with self._house_lock:
            now = time.monotonic()
            if now >= self._next_beat:
                with session_scope(self._sessions) as session:
                    session.merge(
                        WorkerBeat(worker_id=self.worker_id, heartbeat_at=utcnow(), job_id=self.job_id)
                    )
                self._next_beat = now + self._beat_s
            if now >= self._next_recovery:
                self._next_recovery = now + self._recover_every_s
                self.recover()
            self._periodic.run_due()

    def abandon(self) -> bool:
        """Give the job in hand back to the queue and make sure its results are never committed by this
        worker (used when shutting down before it finished). Returns whether a job was handed back."""
        with self._commit_lock:
            self._abandoned = True
            job_id = self.job_id
            if job_id is None:
                return False
            with session_scope(self._sessions) as session:
                returned = hand_back(session, job_id, worker_id=self.worker_id)
        if returned:
            log.warning("worker %s: job %s handed back to the queue", self.worker_id, job_id)
        return returned

    # ----- internals -----------------------------------------------------------------------------------
    def _execute(self, job_id: int) -> str:
        session = self._sessions()
        try:
            job = session.get(Job, job_id)
            assert job is not None
            handler = self._handlers.get(job.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(session, job)
            with self._commit_lock:
                if self._abandoned or not finish_job(session, job, worker_id=self.worker_id):
                    session.rollback()
                    log.warning("job %s: no longer this worker's; results dropped", job_id)
                    return "superseded"
                session.commit()
            log.info("job %s call %s committed by %s", job_id, job.call_id, self.worker_id)
            return "done"
        except self._hand_back_on:
            session.rollback()
            self._hand_back_quietly(job_id)
            raise
        except Exception as exc:
            session.rollback()
            log.warning("job %s failed: %s", job_id, exc)
            message = f"{type(exc).__name__}: {exc}"
            detail = message + "\n" + traceback.format_exc(limit=5)
            with session_scope(self._sessions) as failed:
                row = failed.get(Job, job_id)
                assert row is not None
                ended = finish_job(failed, row, worker_id=self.worker_id, error=detail, reason=message)
            return "failed" if ended else "superseded"
        finally:
            session.close()

    def _hand_back_quietly(self, job_id: int) -> None:
        """After a database failure: return the job if the database lets us; else its heartbeat stops and
        recovery requeues it later."""
        try:
            with session_scope(self._sessions) as session:
                hand_back(session, job_id, worker_id=self.worker_id)
        except Exception as exc:
            log.warning("job %s not handed back now (%s); recovery will requeue it", job_id, _describe(exc))

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(self._beat_s):
            try:
                with session_scope(self._sessions) as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == job_id, Job.status == "running")
                        .values(heartbeat_at=utcnow())
                    )
                if self._looping:
                    self.housekeeping()
            except Exception as exc:  # a missed beat is retried next interval; the job goes on
                log.warning("worker %s: heartbeat failed: %s", self.worker_id, _describe(exc))

    def _retire(self) -> None:
        try:
            with session_scope(self._sessions) as session:
                session.execute(delete(WorkerBeat).where(WorkerBeat.worker_id == self.worker_id))
        except Exception as exc:  # the row then ages out and reads as a dead worker
            log.warning("worker %s: heartbeat row not removed: %s", self.worker_id, _describe(exc))


def _describe(exc: Exception) -> str:
    """One line: the driver's message for database errors (not the statement and its parameters)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"


def run_until_signalled(worker: Worker, *, grace_s: float) -> None:
    """Run `worker` in this (main) thread until SIGTERM or SIGINT.

    The first signal stops the loop after the job in hand; if that job is still running `grace_s` seconds
    later, or a second signal arrives, it is handed back to the queue and the process exits at once.
    """
    stop = threading.Event()

    def give_up() -> None:
        worker.abandon()
        worker._retire()
        logging.shutdown()
        os._exit(0)  # the job's decode cannot be interrupted; its results will not be committed

    timer = threading.Timer(grace_s, give_up)
    timer.daemon = True

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            threading.Thread(target=give_up, daemon=True).start()
            return
        log.info(
            "worker %s: %s received, stopping after the job in hand",
            worker.worker_id,
            signal.Signals(signum).name,
        )
        stop.set()
        timer.start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        worker.run_forever(stop)
    finally:
        timer.cancel()
