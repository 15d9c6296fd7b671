"""Broker mode for real: `callqa worker` as a Celery worker node against the test PostgreSQL and a Redis
broker, processing ingested calls once each through worker deaths, duplicate and lost messages."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.ingest import ingest_recording
from callqa.services.jobs import mark_dispatched
from callqa.services.tasks import make_celery, send_job, waiting_messages
from callqa.settings import Settings
from models import Call, Job, Recording, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.conftest import (
    broker_url,
    create_agent,
    fresh_database,
    own_redis,
    reset_postgres,
    write_tone_call,
)
from tests.live import server_env, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.slow]

COMMITTED = re.compile(r"job (\d+) call \d+ committed by")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """The test PostgreSQL, empty and migrated; left so for the other tests."""
    url = fresh_database("postgresql", tmp_path)
    engine = make_engine(url)
    yield url, make_session_factory(engine)
    engine.dispose()
    reset_postgres(url)
    upgrade_database(url)


class Node:
    """A `callqa worker` process group (the Celery main process and its pool) with its log."""

    def __init__(
        self, tmp_path: Path, url: str, broker: str, models: dict[str, str], concurrency: int = 2
    ) -> None:
        self.log = tmp_path / "node.log"
        env = server_env(
            tmp_path,
            **models,
            database_url=url,
            broker_url=broker,
            second_opinion="false",
            worker_stale_after_s="8",
            reconcile_every_s="0.3",
            redispatch_after_s="2",
            task_retry_backoff_s="0.3",
            task_max_retries="2",
        )
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "callqa", "worker", "--concurrency", str(concurrency)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def commits(self) -> Counter[int]:
        return Counter(int(m) for m in COMMITTED.findall(self.text()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _queue_calls(
    factory: sessionmaker[Session], tmp_path: Path, n: int, *, seconds: float = 3.0, audio: Path | None = None
) -> list[int]:
    """`n` ingested calls in the store of workers on `tmp_path`, each its own recording (ingest refuses
    the same content twice): tones of `seconds`, or `audio` when given (then n = 1); returns their job ids."""
    assert audio is None or n == 1
    first = len(list(tmp_path.glob("tone-*.wav")))
    tones = (
        [audio]
        if audio
        else [
            write_tone_call(tmp_path / f"tone-{i}.wav", seconds=seconds, hz=440 + i)
            for i in range(first, first + n)
        ]
    )
    with factory() as s:
        agent = create_agent(s, "Alice Moreau")
        calls = [
            ingest_recording(s, source=tone, recordings_dir=tmp_path / "recordings", agent_id=agent.id)
            for tone in tones
        ]
        s.commit()
        return [s.scalars(select(Job.id).where(Job.call_id == c.id)).one() for c in calls]


def _jobs(factory: sessionmaker[Session]) -> dict[int, Job]:
    with factory() as s:
        return {job.id: job for job in s.scalars(select(Job))}


def _all_finished(factory: sessionmaker[Session]) -> bool:
    return all(j.status in ("done", "failed", "dead") for j in _jobs(factory).values())


def test_calls_run_once_a_second_delivery_does_nothing_and_an_unreadable_recording_is_dead_lettered(
    database: tuple[str, sessionmaker[Session]], tmp_path: Path, trained: dict[str, str]
) -> None:
    url, factory = database
    broker = broker_url()
    ids = _queue_calls(factory, tmp_path, 4, seconds=4.0)
    with factory() as s:  # one recording the workers cannot read: its file was removed from the store
        missing = s.scalars(select(Recording).join(Job, Job.call_id == Recording.call_id)).first()
        assert missing is not None
        (tmp_path / "recordings" / missing.path).unlink()
        missing_job = s.scalars(select(Job.id).where(Job.call_id == missing.call_id)).one()
    node = Node(tmp_path, url, broker, trained)
    try:
        assert wait_for(lambda: _all_finished(factory), 300), node.text()
        jobs = _jobs(factory)
        assert jobs[missing_job].status == "dead", jobs[missing_job].error
        assert "not readable" in (jobs[missing_job].error or "")
        assert "gave up after 3 tries" in (jobs[missing_job].error or "")
        with factory() as s:
            call = s.scalars(select(Call).where(Call.id == jobs[missing_job].call_id)).one()
            assert call.status == "failed" and "not readable" in (call.error or "")
        done = [i for i in ids if i != missing_job]
        assert all(jobs[i].status == "done" and jobs[i].attempts == 1 for i in done), node.text()
        assert node.commits() == dict.fromkeys(done, 1)

        # The broker delivers a message for a finished job again: nothing happens.
        app = make_celery(Settings(broker_url=broker, database_url=url))
        again = send_job(app, done[0])
        assert wait_for(lambda: f"{again}] succeeded" in node.text(), 60), node.text()
        assert f"{again}] succeeded in" in node.text() and "'skipped'" in node.text()
        after = _jobs(factory)[done[0]]
        assert (after.status, after.attempts) == ("done", 1)
        assert node.commits() == dict.fromkeys(done, 1)
    finally:
        node.stop()


def test_a_killed_pool_process_and_a_broker_restart_lose_no_call(
    database: tuple[str, sessionmaker[Session]], tmp_path: Path, speech_call: Path, trained: dict[str, str]
) -> None:
    url, factory = database
    redis = own_redis()
    try:
        app = make_celery(Settings(broker_url=redis.url, database_url=url))
        # Three calls whose messages are sent while no worker runs, then lost with the broker's restart.
        lost = _queue_calls(factory, tmp_path, 3)
        for job_id in lost:
            send_job(app, job_id)
        with factory() as s:
            mark_dispatched(s, lost)
            s.commit()
        assert waiting_messages(app) == 3
        redis.restart()
        assert waiting_messages(app) == 0
        # And one long call whose pool process is killed while it decodes.
        [long_job] = _queue_calls(factory, tmp_path, 1, audio=speech_call)
        node = Node(tmp_path, url, redis.url, trained, concurrency=1)
        try:

            def running_pid() -> int | None:
                job = _jobs(factory)[long_job]
                return int(job.locked_by.split(":")[1]) if job.status == "running" and job.locked_by else None

            assert wait_for(lambda: running_pid() is not None, 300), node.text()
            pid = running_pid()
            assert pid is not None and pid != node.process.pid  # a pool process, not the main one
            os.kill(pid, signal.SIGKILL)
            assert wait_for(lambda: _all_finished(factory), 300), node.text()
            jobs = _jobs(factory)
            assert all(jobs[i].status == "done" for i in [*lost, long_job]), node.text()
            assert jobs[long_job].attempts == 2  # taken over by the redelivered message
            assert all(jobs[i].attempts == 1 for i in lost)
            assert node.commits() == dict.fromkeys([*lost, long_job], 1)
            assert "sent again" in node.text()
        finally:
            node.stop()
    finally:
        redis.stop()
