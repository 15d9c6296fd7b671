"""Sampling plans drawn by the workers as calls arrive, on a real server and worker pair: `callqa serve` with
its embedded worker and a standalone `callqa worker`, both drawing every active plan every 0.2 s on the same
database, top each agent up to the plan's N as calls are scored, and never past it."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Agent, Call, PlanSample, Review, SamplingPlan, User, make_engine, make_session_factory
from models.base import utcnow
from tests.conftest import create_scored_call, fresh_database
from tests.live import live_server, seed_database, server_env, stop, wait_for
from tests.scoring.test_review import GOOD

N = 2
DRAWS = {"sampling_draw_every_s": "0.2", "worker_poll_s": "0.1"}


def _drawn(factory: sessionmaker[Session]) -> dict[int | None, int]:
    """Sampled reviews per agent."""
    with factory() as s:
        rows = s.execute(
            select(Call.agent_id, func.count(Review.id))
            .join(Review, Review.call_id == Call.id)
            .where(Review.sampled)
            .group_by(Call.agent_id)
        ).all()
    return {agent_id: count for agent_id, count in rows}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_workers_draw_plans_as_calls_arrive_and_never_past_n(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path)
    tom = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        qa = s.scalars(select(User).where(User.username == "qa")).one()
        s.add(
            SamplingPlan(
                name="Two a week",
                reviewer_id=qa.id,
                calls_per_agent=N,
                period="week",
                created_at=utcnow() - timedelta(days=60),
            )
        )
        for _ in range(5):
            create_scored_call(s, tom, GOOD)
        s.commit()
        qa_id = qa.id
    data = tmp_path / "data"
    worker_log = tmp_path / "worker.log"
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "callqa", "worker"],
            env=server_env(data, database_url=url, **DRAWS),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        with live_server(server_env(data, database_url=url, **DRAWS), tmp_path / "server.log") as server:
            assert wait_for(lambda: _drawn(factory).get(tom) == N, 60), (
                _drawn(factory),
                server.log_text()[-2000:],
                worker_log.read_text()[-2000:],
            )
            # A new agent's calls arrive while both draw: they are drawn too, up to N.
            with factory() as s:
                ann = Agent(name="Ann Lee")
                s.add(ann)
                s.flush()
                for _ in range(4):
                    create_scored_call(s, ann.id, GOOD)
                    s.commit()
                    time.sleep(0.3)
                ann_id = ann.id
            assert wait_for(lambda: _drawn(factory).get(ann_id) == N, 60), _drawn(factory)
            time.sleep(3)  # some thirty more rounds of each worker
            assert _drawn(factory) == {tom: N, ann_id: N}
            assert worker.poll() is None, worker_log.read_text()[-2000:]
            # No draw fails. On PostgreSQL a lost race is a unique slot refused, drawn again later; SQLite
            # may refuse one writer's stale snapshot, which is one line ("not done this time") and no
            # traceback: it is redone at the next interval.
            log = server.log_text() + worker_log.read_text()
            assert "periodic task draw_sampling_plans failed" not in log, log[-3000:]
            assert "Traceback" not in log, log[-3000:]
            if backend == "postgresql":
                assert "draw_sampling_plans not done" not in log, log[-3000:]
    finally:
        stop(worker)
    with factory() as s:
        assert s.scalar(select(func.count(PlanSample.id))) == 2 * N
        assignees = set(s.scalars(select(Review.assignee_id).where(Review.sampled)))
    assert assignees == {qa_id}
    engine.dispose()
