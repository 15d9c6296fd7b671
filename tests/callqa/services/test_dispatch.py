"""Job functions of broker mode on SQLite and PostgreSQL: claims per message, takeover of a lost run,
the dead-letter state, and which queued jobs get a message (again)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from callqa.services.jobs import (
    MAX_ATTEMPTS,
    bury,
    claim_job,
    dispatchable,
    enqueue,
    finish_job,
    mark_dispatched,
    possibly_lost,
    revive,
)
from models import Call, Job, utcnow
from tests.conftest import create_agent


def _queued(session: Session, n: int = 1) -> list[Job]:
    agent = create_agent(session)
    jobs = []
    for _ in range(n):
        call = Call(agent_id=agent.id, status="queued")
        session.add(call)
        session.flush()
        jobs.append(enqueue(session, kind="process_call", call_id=call.id))
    return jobs


def test_a_second_message_for_a_claimed_or_finished_job_does_nothing(session: Session) -> None:
    [job] = _queued(session)
    claimed = claim_job(session, job.id, worker_id="w1", task_id="t1")
    assert claimed is not None and claimed.status == "running" and claimed.attempts == 1
    assert claim_job(session, job.id, worker_id="w2", task_id="t2") is None  # duplicate while running
    assert finish_job(session, claimed, worker_id="w1")
    assert claim_job(session, job.id, worker_id="w2", task_id="t2") is None  # duplicate after done
    assert claim_job(session, job.id, worker_id="w3", task_id="t1") is None  # redelivery after done
    session.refresh(job)
    assert (job.status, job.attempts) == ("done", 1)
    call = session.get(Call, job.call_id)
    assert call is not None and call.status == "done"


def test_a_redelivered_message_takes_a_lost_run_over_and_the_old_run_cannot_commit(session: Session) -> None:
    [job] = _queued(session)
    first = claim_job(session, job.id, worker_id="w1", task_id="t1")
    assert first is not None
    again = claim_job(session, job.id, worker_id="w2", task_id="t1")
    assert again is not None and again.locked_by == "w2" and again.attempts == 2
    assert not finish_job(session, again, worker_id="w1")  # the first run lives on, but may not commit
    assert finish_job(session, again, worker_id="w2")
    assert job.status == "done"


def test_a_job_whose_runs_were_lost_too_often_is_dead_lettered_and_can_be_revived(session: Session) -> None:
    [job] = _queued(session)
    for attempt in range(MAX_ATTEMPTS):
        claimed = claim_job(session, job.id, worker_id=f"w{attempt}", task_id="t1")
        assert claimed is not None and claimed.status == "running"
    dead = claim_job(session, job.id, worker_id="wx", task_id="t1")
    assert dead is not None and dead.status == "dead" and "died 3 times" in (dead.error or "")
    call = session.get(Call, job.call_id)
    assert call is not None and (call.status, call.error) == ("failed", dead.error)
    assert claim_job(session, job.id, worker_id="wy", task_id="t9") is None
    revived = revive(session, job.id)
    assert (revived.status, revived.attempts, revived.dispatched_at) == ("queued", 0, None)
    assert call.status == "queued" and job.id in dispatchable(session, limit=10)


def test_bury_leaves_a_finished_job_alone(session: Session) -> None:
    done, queued = _queued(session, 2)
    claimed = claim_job(session, done.id, worker_id="w", task_id="t")
    assert claimed is not None and finish_job(session, claimed, worker_id="w")
    assert not bury(session, done.id, "too late")
    assert bury(session, queued.id, "gave up after 6 tries: RecordingUnreadable: …")
    assert (done.status, queued.status) == ("done", "dead")


def test_lost_messages_are_those_the_broker_lacks_oldest_first(session: Session) -> None:
    jobs = _queued(session, 4)
    ids = [j.id for j in jobs]
    assert dispatchable(session, limit=10) == ids
    mark_dispatched(session, ids)
    assert dispatchable(session, limit=10) == []
    # Messages just sent are never taken for lost, however few the broker holds.
    assert possibly_lost(session, waiting_in_broker=0, sent_before_s=60, limit=10) == []
    for age, job in zip((400, 300, 200, 100), jobs, strict=True):
        job.dispatched_at = utcnow() - timedelta(seconds=age)
    session.flush()
    assert possibly_lost(session, waiting_in_broker=4, sent_before_s=60, limit=10) == []
    assert possibly_lost(session, waiting_in_broker=1, sent_before_s=60, limit=10) == ids[:3]
    assert possibly_lost(session, waiting_in_broker=0, sent_before_s=60, limit=2) == ids[:2]
    assert possibly_lost(session, waiting_in_broker=0, sent_before_s=250, limit=10) == ids[:2]
