"""A database-backed job queue and the worker that drains it.

Job state lives in the application database (SQLite or PostgreSQL) beside the calls it concerns, so an
ingested call is never lost: a job claimed by a worker that then dies keeps status `running` with a
heartbeat that stops advancing, and the next worker to start (or any worker, periodically) puts it back
in the queue. Claiming is a conditional UPDATE, so two workers never run the same job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Agent, Call, Job, session_scope, utcnow

log = logging.getLogger("callqa.worker")

MAX_ATTEMPTS = 3


def enqueue(session: Session, *, kind: str, call_id: int | None) -> Job:
    """Queue a job. Flushes; the caller commits."""
    job = Job(kind=kind, call_id=call_id, status="queued")
    session.add(job)
    session.flush()
    return job


def queued_count(session: Session) -> int:
    """Jobs waiting for a worker."""
    return session.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) or 0


def requeue_stale(session: Session, *, stale_after_s: float) -> int:
    """Put `running` jobs whose heartbeat is older than `stale_after_s` back in the queue.

    A job that already used MAX_ATTEMPTS fails instead, so a recording that crashes the process every
    time cannot loop forever. Returns the number of jobs requeued.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    stale = session.scalars(
        select(Job).where(Job.status == "running", (Job.heartbeat_at.is_(None)) | (Job.heartbeat_at < cutoff))
    ).all()
    requeued = 0
    for job in stale:
        job.locked_by = None
        if job.attempts >= MAX_ATTEMPTS:
            job.status = "failed"
            job.error = f"worker died {job.attempts} times while running this job"
            job.finished_at = utcnow()
            _mark_call(session, job.call_id, "failed", job.error)
        else:
            job.status = "queued"
            _mark_call(session, job.call_id, "queued", None)
            requeued += 1
    session.flush()
    return requeued


def claim_next(session: Session, *, worker_id: str) -> Job | None:
    """Atomically take the oldest queued job for `worker_id`, or None when the queue is empty."""
    candidates = session.scalars(
        select(Job.id).where(Job.status == "queued").order_by(Job.created_at, Job.id).limit(5)
    ).all()
    for job_id in candidates:
        now = utcnow()
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(
                status="running",
                locked_by=worker_id,
                heartbeat_at=now,
                started_at=now,
                attempts=Job.attempts + 1,
            )
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            job = session.get(Job, job_id, populate_existing=True)
            assert job is not None
            _mark_call(session, job.call_id, "processing", None)
            session.flush()
            return job
    return None


def _mark_call(session: Session, call_id: int | None, status: str, error: str | None) -> None:
    if call_id is None:
        return
    call = session.get(Call, call_id)
    if call is not None:
        call.status = status
        call.error = error


JobHandler = Callable[[Session, Job], None]


class Worker:
    """Drains the job queue with `handlers[job.kind]`, one job at a time, committing after each step."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        handlers: dict[str, JobHandler],
        *,
        poll_s: float = 1.0,
        stale_after_s: float = 120.0,
        worker_id: str | None = None,
    ) -> None:
        self._sessions = session_factory
        self._handlers = handlers
        self._poll_s = poll_s
        self._stale_after_s = stale_after_s
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"

    def recover(self) -> int:
        """Requeue jobs orphaned by dead workers; returns how many."""
        with session_scope(self._sessions) as session:
            count = requeue_stale(session, stale_after_s=self._stale_after_s)
        if count:
            log.info("requeued %d job(s) left by a dead worker", count)
        return count

    def run_once(self) -> bool:
        """Run one queued job if there is one; returns whether a job was run."""
        with session_scope(self._sessions) as session:
            job = claim_next(session, worker_id=self.worker_id)
            job_id = job.id if job else None
        if job_id is None:
            return False
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop_beat), daemon=True)
        beat.start()
        try:
            self._execute(job_id)
        finally:
            stop_beat.set()
            beat.join()
        return True

    def run_forever(self, stop: threading.Event) -> None:
        """Process jobs until `stop` is set, checking for orphaned jobs now and then."""
        self.recover()
        idle_rounds = 0
        while not stop.is_set():
            if self.run_once():
                idle_rounds = 0
                continue
            idle_rounds += 1
            if idle_rounds % 30 == 0:
                self.recover()
            stop.wait(self._poll_s)

    def _execute(self, job_id: int) -> None:
        try:
            with session_scope(self._sessions) as session:
                job = session.get(Job, job_id)
                assert job is not None
                handler = self._handlers.get(job.kind)
                if handler is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                handler(session, job)
                job.status = "done"
                job.error = None
                job.finished_at = utcnow()
                _mark_call(session, job.call_id, "done", None)
        except Exception as exc:
            log.warning("job %s failed: %s", job_id, exc)
            message = f"{type(exc).__name__}: {exc}"
            with session_scope(self._sessions) as session:
                job = session.get(Job, job_id)
                assert job is not None
                job.status = "failed"
                job.error = message + "\n" + traceback.format_exc(limit=5)
                job.finished_at = utcnow()
                _mark_call(session, job.call_id, "failed", message)

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        interval = max(0.5, self._stale_after_s / 4)
        while not stop.wait(interval):
            with session_scope(self._sessions) as session:
                session.execute(
                    update(Job).where(Job.id == job_id, Job.status == "running").values(heartbeat_at=utcnow())
                )


def agent_first_name(session: Session, agent_id: int | None) -> str | None:
    """The agent's first name, which is what they say when introducing themselves."""
    if agent_id is None:
        return None
    agent = session.get(Agent, agent_id)
    return agent.name.split()[0] if agent and agent.name else None


def recording_path(call: Call) -> Path:
    if call.recording is None:
        raise LookupError(f"call {call.id} has no recording")
    return Path(call.recording.path)
