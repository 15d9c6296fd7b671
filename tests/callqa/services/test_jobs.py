"""The DB-backed job queue: claiming, failure handling, and recovery of a killed worker's job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.ingest import ingest_recording
from callqa.services.jobs import MAX_ATTEMPTS, claim_next, enqueue, queued_count, requeue_stale
from callqa.services.worker import Worker
from models import Call, Job, make_engine, make_session_factory, utcnow
from models.migrate import upgrade_database
from tests.conftest import create_agent
from tests.fitted import provide_models


def test_claim_takes_the_oldest_queued_job_once(session: Session) -> None:
    first = enqueue(session, kind="noop", call_id=None)
    second = enqueue(session, kind="noop", call_id=None)
    assert queued_count(session) == 2
    claimed = claim_next(session, worker_id="w1")
    assert claimed is not None and claimed.id == first.id
    assert claimed.status == "running" and claimed.attempts == 1 and claimed.locked_by == "w1"
    again = claim_next(session, worker_id="w2")
    assert again is not None and again.id == second.id
    assert claim_next(session, worker_id="w3") is None
    assert queued_count(session) == 0


def test_stale_running_jobs_are_requeued_and_dead_lettered_after_max_attempts(session: Session) -> None:
    agent = create_agent(session)
    call = Call(agent_id=agent.id, status="processing")
    session.add(call)
    session.flush()
    fresh = Job(kind="noop", status="running", heartbeat_at=utcnow(), attempts=1)
    stale = Job(kind="noop", call_id=call.id, status="running", heartbeat_at=utcnow() - timedelta(minutes=10))
    stale.attempts = 1
    exhausted = Job(kind="noop", status="running", heartbeat_at=utcnow() - timedelta(minutes=10))
    exhausted.attempts = MAX_ATTEMPTS
    session.add_all([fresh, stale, exhausted])
    session.flush()
    assert requeue_stale(session, stale_after_s=60) == 1
    assert (fresh.status, stale.status, exhausted.status) == ("running", "queued", "dead")
    assert call.status == "queued"
    assert "died" in (exhausted.error or "")


def _file_db(tmp_path: Path) -> tuple[str, object]:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade_database(url)
    return url, make_session_factory(make_engine(url))


def test_a_failing_handler_marks_job_and_call_failed_with_the_error(tmp_path: Path) -> None:
    _url, factory = _file_db(tmp_path)

    def boom(_session: Session, _job: Job) -> None:
        raise RuntimeError("decoder exploded")

    with factory() as s:  # type: ignore[operator]
        call = Call(status="queued")
        s.add(call)
        s.flush()
        enqueue(s, kind="process_call", call_id=call.id)
        s.commit()
        call_id = call.id
    worker = Worker(factory, {"process_call": boom})  # type: ignore[arg-type]
    assert worker.run_once() is True
    assert worker.run_once() is False
    with factory() as s:  # type: ignore[operator]
        job = s.scalars(select(Job)).one()
        assert job.status == "failed" and "decoder exploded" in (job.error or "")
        call = s.get(Call, call_id)
        assert call is not None and call.status == "failed" and "decoder exploded" in (call.error or "")


@pytest.mark.slow
def test_a_killed_workers_job_is_finished_after_restart(tmp_path: Path, speech_call: Path) -> None:
    url, factory = _file_db(tmp_path)
    with factory() as s:  # type: ignore[operator]
        agent = create_agent(s, "Alice Moreau")
        call = ingest_recording(
            s, source=speech_call, recordings_dir=tmp_path / "recordings", agent_id=agent.id
        )
        s.commit()
        call_id = call.id
    env = {
        **os.environ,
        "CALLQA_DATABASE_URL": url,
        "CALLQA_DATA_DIR": str(tmp_path),
        "CALLQA_WORKER_STALE_AFTER_S": "2",
    }
    provide_models(tmp_path)  # the worker that takes the job over analyses the call
    cmd = [sys.executable, "-m", "callqa", "worker"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with factory() as s:  # type: ignore[operator]
                status = s.scalars(select(Job.status)).one()
            if status != "queued":
                break
            time.sleep(0.05)
        assert status == "running", f"worker never claimed the job (status {status})"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    with factory() as s:  # type: ignore[operator]
        assert s.scalars(select(Job.status)).one() == "running"  # orphaned, not lost
    time.sleep(2.5)  # let the heartbeat go stale
    done = subprocess.run([*cmd, "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with factory() as s:  # type: ignore[operator]
        job = s.scalars(select(Job)).one()
        assert job.status == "done" and job.attempts == 2
        call = s.get(Call, call_id)
        assert call is not None and call.status == "done"
        assert call.score is not None and call.qa_result is not None and call.segments
