"""A database-backed job queue (the loop that drains it is `callqa.services.worker`).

Job state lives in the application database (SQLite or PostgreSQL) beside the calls it concerns, so an
ingested call is never lost: a job claimed by a worker that then dies keeps status `running` with a
heartbeat that stops advancing, and any live worker's recovery timer puts it back in the queue.
Claiming is a conditional UPDATE, so two workers never run the same job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Agent, Call, Job, utcnow

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


@dataclass(frozen=True)
class QueueState:
    """Job counts by status and the age of the oldest queued job (seconds; None when none waits)."""

    counts: dict[str, int]
    oldest_queued_age_s: float | None


def queue_state(session: Session, *, now: datetime | None = None) -> QueueState:
    """How many jobs are in each status, and how long the head of the queue has waited."""
    counts = {status: 0 for status in ("queued", "running", "done", "failed")}
    for status, count in session.execute(select(Job.status, func.count()).group_by(Job.status)):
        counts[status] = count
    oldest = session.scalar(select(func.min(Job.created_at)).where(Job.status == "queued"))
    age = None if oldest is None else max(0.0, ((now or utcnow()) - oldest).total_seconds())
    return QueueState(counts, age)


def hand_back(session: Session, job_id: int, *, worker_id: str) -> bool:
    """Return a job this worker claimed but will not finish (shutdown, lost database) to the queue, without
    counting the attempt. Returns False when the job was no longer this worker's. Flushes only."""
    back = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.locked_by == worker_id)
        .values(status="queued", locked_by=None, heartbeat_at=None, attempts=Job.attempts - 1)
    )
    if back.rowcount != 1:  # type: ignore[attr-defined]
        return False
    call_id = session.scalar(select(Job.call_id).where(Job.id == job_id))
    _mark_call(session, call_id, "queued", None)
    session.flush()
    return True


def finish_job(session: Session, job: Job, *, error: str | None = None, reason: str | None = None) -> None:
    """Mark `job` (and its call) done, or failed with `error` (the call shows the short `reason`)."""
    job.status = "failed" if error else "done"
    job.error = error
    job.finished_at = utcnow()
    _mark_call(session, job.call_id, job.status, reason if error else None)
    session.flush()


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


def agent_first_name(session: Session, agent_id: int | None) -> str | None:
    """The agent's first name, which is what they say when introducing themselves."""
    if agent_id is None:
        return None
    agent = session.get(Agent, agent_id)
    return agent.name.split()[0] if agent and agent.name else None


def agent_work_number(session: Session, agent_id: int | None) -> str | None:
    """The agent's work number (the employee number), which the Chinese script's greeting must give."""
    agent = session.get(Agent, agent_id) if agent_id is not None else None
    return agent.employee_no if agent else None


def recording_path(call: Call) -> Path:
    if call.recording is None:
        raise LookupError(f"call {call.id} has no recording")
    return Path(call.recording.path)
