"""Real `callqa worker` processes: surviving a held database lock, SIGTERM, and orphans found under load."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.ingest import ingest_recording
from models import Call, Job, WorkerBeat, make_engine, make_session_factory, utcnow
from tests.conftest import create_agent, write_tone_call
from tests.live import server_env, stop, wait_for

WORKER = [sys.executable, "-m", "callqa", "worker"]


def _database(tmp_path: Path) -> tuple[str, sessionmaker[Session]]:
    from models.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    return url, make_session_factory(make_engine(url))


def _queue_tone_calls(
    factory: sessionmaker[Session], tmp_path: Path, n: int, seconds: float = 3.0
) -> list[int]:
    """`n` queued tone calls in the recording store of workers whose data dir is `tmp_path`, each its own
    recording (ingest refuses the same content twice), also across calls of this helper in one test."""
    first = len(list(tmp_path.glob("tone-*.wav")))
    tones = [
        write_tone_call(tmp_path / f"tone-{i}.wav", seconds=seconds, hz=440 + i)
        for i in range(first, first + n)
    ]
    return _queue(factory, tmp_path, tones)


def _queue(factory: sessionmaker[Session], tmp_path: Path, recordings: list[Path]) -> list[int]:
    """The ids of `recordings` ingested and queued, in order, in the store of workers whose data dir is
    `tmp_path`."""
    with factory() as s:
        agent = create_agent(s, "Alice Moreau")
        ids = [
            ingest_recording(s, source=path, recordings_dir=tmp_path / "recordings", agent_id=agent.id).id
            for path in recordings
        ]
        s.commit()
    return ids


def _job_statuses(factory: sessionmaker[Session]) -> dict[int, str]:
    with factory() as s:
        return {job_id: status for job_id, status in s.execute(select(Job.id, Job.status))}


def _beats(factory: sessionmaker[Session]) -> list[str]:
    with factory() as s:
        return list(s.scalars(select(WorkerBeat.worker_id)))


def _worker(tmp_path: Path, url: str, log_name: str, **settings: str) -> tuple[subprocess.Popen[bytes], Path]:
    env = server_env(tmp_path, database_url=url, worker_poll_s="0.1", **settings)
    log = tmp_path / log_name
    with log.open("wb") as out:
        proc = subprocess.Popen(WORKER, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def test_a_standalone_worker_survives_a_held_database_lock(tmp_path: Path) -> None:
    """Another writer holds SQLite's write lock far longer than the busy timeout: the worker logs
    'database is locked', backs off, and takes the next job once the lock is gone."""
    url, factory = _database(tmp_path)
    _queue_tone_calls(factory, tmp_path, 1)
    holder = sqlite3.connect(tmp_path / "callqa.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    proc, log = _worker(
        tmp_path,
        url,
        "worker.log",
        db_busy_timeout_s="0.2",
        worker_stale_after_s="1",
        worker_max_backoff_s="0.5",
        worker_shutdown_grace_s="0.2",
    )
    try:
        try:
            assert wait_for(lambda: "database is locked" in log.read_text() or proc.poll() is not None, 20)
            time.sleep(2)  # 10 more busy timeouts
            assert proc.poll() is None, f"worker exited under the lock:\n{log.read_text()}"
            assert set(_job_statuses(factory).values()) == {"queued"}
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert wait_for(lambda: "queued" not in _job_statuses(factory).values(), 30), log.read_text()
        assert proc.poll() is None
    finally:
        stop(proc)


@pytest.mark.slow
def test_sigterm_lets_the_job_in_hand_finish(tmp_path: Path) -> None:
    url, factory = _database(tmp_path)
    [call_id] = _queue_tone_calls(factory, tmp_path, 1, seconds=20)
    proc, log = _worker(tmp_path, url, "worker.log", worker_shutdown_grace_s="120")
    try:
        assert wait_for(lambda: "running" in _job_statuses(factory).values(), 60), log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, log.read_text()
    finally:
        stop(proc)
    assert set(_job_statuses(factory).values()) == {"done"}, log.read_text()
    with factory() as s:
        call = s.get(Call, call_id)
        assert call is not None and call.status == "done" and call.score is not None
    assert _beats(factory) == []  # a clean stop leaves no heartbeat row


@pytest.mark.slow
def test_sigterm_hands_the_job_back_when_the_grace_period_ends(tmp_path: Path) -> None:
    url, factory = _database(tmp_path)
    [call_id] = _queue_tone_calls(factory, tmp_path, 1, seconds=20)
    proc, log = _worker(tmp_path, url, "worker.log", worker_shutdown_grace_s="0.3")
    try:
        assert wait_for(lambda: "running" in _job_statuses(factory).values(), 60), log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text()
    finally:
        stop(proc)
    with factory() as s:
        job = s.scalars(select(Job)).one()
        assert (job.status, job.attempts, job.locked_by) == ("queued", 0, None), log.read_text()
        call = s.get(Call, call_id)
        assert call is not None and call.status == "queued"
    assert "handed back" in log.read_text()


@pytest.mark.slow
def test_a_killed_workers_job_is_requeued_while_other_jobs_keep_the_queue_busy(
    tmp_path: Path, speech_call: Path
) -> None:
    """The orphan is found by the recovery timer while another job runs, and runs before the queue empties.

    Tone calls take some 20 ms each (no speech), too short to keep a queue busy, so the busy job is a real
    speech call that is decoded. The test decides when the orphan turns stale: its heartbeat is pushed into
    the future until the speech job runs, then into the past."""
    url, factory = _database(tmp_path)
    [orphan] = _queue_tone_calls(factory, tmp_path, 1)
    first, log1 = _worker(tmp_path, url, "first.log", worker_stale_after_s="20")
    try:
        assert wait_for(lambda: "running" in _job_statuses(factory).values(), 60), log1.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    _set_heartbeat(factory, orphan, utcnow() + timedelta(hours=1))
    [busy] = _queue(factory, tmp_path, [speech_call])
    tones = _queue_tone_calls(factory, tmp_path, 12)
    second, log2 = _worker(
        tmp_path, url, "second.log", worker_stale_after_s="4", worker_recover_every_s="0.5"
    )
    try:
        assert wait_for(lambda: _call_job(factory, busy).status == "running", 120), log2.read_text()
        _set_heartbeat(factory, orphan, utcnow() - timedelta(seconds=60))
        assert wait_for(lambda: _call_job(factory, orphan).status == "done", 300), log2.read_text()
    finally:
        stop(second)
    log = log2.read_text()
    busy_job = _call_job(factory, busy)
    # Requeued by the timer while the speech call was being analysed, not once the queue ran empty ...
    assert log.index("requeued 1 job(s)") < log.index(f"job {busy_job.id} call {busy} committed"), log
    # ... and run before the tone calls queued after it (the oldest queued job goes first).
    orphan_done = _call_job(factory, orphan).finished_at
    assert orphan_done is not None
    later = [_call_job(factory, t).finished_at for t in tones]
    assert all(done is None or done > orphan_done for done in later), log


def _call_job(factory: sessionmaker[Session], call_id: int) -> Job:
    with factory() as s:
        return s.scalars(select(Job).where(Job.call_id == call_id)).one()


def _set_heartbeat(factory: sessionmaker[Session], call_id: int, at: datetime) -> None:
    """Stands in for a dead worker's last heartbeat on `call_id`'s running job."""
    with factory() as s:
        s.execute(update(Job).where(Job.call_id == call_id, Job.status == "running").values(heartbeat_at=at))
        s.commit()
