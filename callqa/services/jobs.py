"""A database-backed job queue (the loop that drains it is `callqa.services.worker`).

Job state lives in the application database (SQLite or PostgreSQL) beside the calls it concerns, so an
ingested call is never lost: a job claimed by a worker that then dies keeps status `running` with a
heartbeat that stops advancing, and any live worker's recovery timer puts it back in the queue.
Claiming is a conditional UPDATE, so two workers never run the same job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import JOB_STATUSES, Agent, Call, Job, utcnow

MAX_ATTEMPTS = 3


class JobNotFoundError(LookupError):
    """No job has that id."""


class JobStateError(ValueError):
    """The job is not in a state that allows the operation; the message says which it is in."""


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
    counts = {status: 0 for status in JOB_STATUSES}
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


def dispatchable(session: Session, *, limit: int) -> list[int]:
    """Queued jobs no message was sent for yet (new, requeued or revived), oldest first."""
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.status == "queued", Job.dispatched_at.is_(None))
            .order_by(Job.created_at, Job.id)
            .limit(limit)
        )
    )


def mark_dispatched(session: Session, job_ids: list[int]) -> None:
    """Record that a message for each of `job_ids` was sent now. Flushes only."""
    if job_ids:
        session.execute(
            update(Job).where(Job.id.in_(job_ids), Job.status == "queued").values(dispatched_at=utcnow())
        )
        session.flush()


def possibly_lost(session: Session, *, waiting_in_broker: int, sent_before_s: float, limit: int) -> list[int]:
    """Queued jobs whose message may be lost, oldest message first.

    A queued job had a message sent; the broker holds `waiting_in_broker` messages not yet taken. When
    fewer messages wait than jobs, the difference was lost (a broker restarted without persistence) or is
    in a worker's hands about to be claimed; which ones is unknown, so the jobs whose message is oldest
    (and older than `sent_before_s`) are returned, up to that difference. Sending them again is safe (a
    duplicate delivery does nothing) and repeated rounds reach the lost ones.
    """
    waiting_jobs = (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.status == "queued", Job.dispatched_at.is_not(None))
        )
        or 0
    )
    deficit = min(limit, waiting_jobs - waiting_in_broker)
    if deficit <= 0:
        return []
    cutoff = utcnow() - timedelta(seconds=sent_before_s)
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.status == "queued", Job.dispatched_at < cutoff)
            .order_by(Job.dispatched_at, Job.id)
            .limit(deficit)
        )
    )


def finish_job(
    session: Session, job: Job, *, worker_id: str, error: str | None = None, reason: str | None = None
) -> bool:
    """Mark `job` (and its call) done, or failed with `error` (the call shows the short `reason`), if
    `worker_id` still holds it. Returns False, changing nothing, when another worker took the job over
    meanwhile (its run was taken for lost): the caller then rolls back, so no call is stored twice."""
    now = utcnow()
    status = "failed" if error else "done"
    finished = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == "running", Job.locked_by == worker_id)
        .values(status=status, error=error, finished_at=now)
    )
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _mark_call(session, job.call_id, status, reason if error else None)
    session.flush()
    return True


def requeue_stale(session: Session, *, stale_after_s: float) -> int:
    """Put `running` jobs whose heartbeat is older than `stale_after_s` back in the queue.

    A job that already used MAX_ATTEMPTS goes to the dead-letter state instead, so a recording that crashes
    the process every time cannot loop forever. Returns the number of jobs requeued.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    stale = session.scalars(
        select(Job).where(Job.status == "running", (Job.heartbeat_at.is_(None)) | (Job.heartbeat_at < cutoff))
    ).all()
    requeued = 0
    for job in stale:
        job.locked_by = None
        if job.attempts >= MAX_ATTEMPTS:
            _bury(session, job, f"worker died {job.attempts} times while running this job")
        else:
            job.status = "queued"
            job.dispatched_at = None  # with a broker: send a new message for it
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


def list_jobs(session: Session, *, status: str, limit: int) -> list[Job]:
    """Jobs in `status`, most recently finished (else created) first."""
    return list(
        session.scalars(
            select(Job)
            .where(Job.status == status)
            .order_by(func.coalesce(Job.finished_at, Job.created_at).desc(), Job.id.desc())
            .limit(limit)
        )
    )


def claim_job(session: Session, job_id: int, *, worker_id: str, task_id: str) -> Job | None:
    """Claim job `job_id` for the broker message `task_id` (a Celery task id) and `worker_id`.

    Claimable: a queued job, or a running one claimed by this same message before; a broker delivers a
    message again only when its consumer died (or it was held past the visibility timeout), so that run
    counts as lost, and if it still lives its `finish_job` now fails. Returns None when the job is not
    this message's to run (done, failed, dead, gone, or running under another message): a duplicate
    delivery, which must do nothing. A job whose runs were lost MAX_ATTEMPTS times goes to the dead-letter
    state instead (returned with that status). Flushes only.
    """
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            (Job.status == "queued") | ((Job.status == "running") & (Job.task_id == task_id)),
        )
        .values(
            status="running",
            locked_by=worker_id,
            task_id=task_id,
            heartbeat_at=now,
            started_at=now,
            attempts=Job.attempts + 1,
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    if job.attempts > MAX_ATTEMPTS:
        _bury(session, job, f"worker died {job.attempts - 1} times while running this job")
    else:
        _mark_call(session, job.call_id, "processing", None)
    session.flush()
    return job


def bury(session: Session, job_id: int, reason: str) -> bool:
    """Move a queued or running job to the dead-letter state (its call fails with `reason`); False when
    it had finished meanwhile. Flushes only."""
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.status not in ("queued", "running"):
        return False
    _bury(session, job, reason)
    session.flush()
    return True


def _bury(session: Session, job: Job, reason: str) -> None:
    job.status = "dead"
    job.locked_by = None
    job.error = reason
    job.finished_at = utcnow()
    _mark_call(session, job.call_id, "failed", reason)


def revive(session: Session, job_id: int) -> Job:
    """Queue a dead-letter job again with fresh attempts (an operator fixed the cause). Raises
    JobNotFoundError or JobStateError (it is not dead). Flushes only."""
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFoundError(f"job {job_id} does not exist")
    if job.status != "dead":
        raise JobStateError(f"job {job_id} is {job.status}, not dead")
    job.status, job.attempts, job.error, job.finished_at = "queued", 0, None, None
    job.task_id = job.dispatched_at = None
    _mark_call(session, job.call_id, "queued", None)
    session.flush()
    return job


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
