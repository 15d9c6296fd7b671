"""The workers' periodic work in broker mode: Celery's pool processes never run it, so the reconciler that
leads does (the sampling plans' draws, the retention purge), when due; a reconciler that does not lead
leaves it alone. Two draws colliding on SQLite are logged as one line, and the next run tops up."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.leader import LeaderLease
from callqa.services.periodic import draw_sampling_plans, periodic_tasks
from callqa.services.reconciler import Reconciler
from callqa.services.worker import PeriodicTasks
from callqa.settings import Settings
from models import Review, SamplingPlan, make_engine, make_session_factory, session_scope, utcnow
from models.migrate import upgrade_database
from tests.conftest import create_agent, create_scored_call
from tests.scoring.test_review import GOOD


def _reconciler(factory: sessionmaker[Session], settings: Settings, node: str) -> Reconciler:
    return Reconciler(
        factory,
        send=lambda _job_id: None,
        waiting=lambda: 0,
        lease=LeaderLease(factory, "reconciler", holder=node, ttl_s=60),
        node_id=node,
        stale_after_s=120,
        redispatch_after_s=60,
        periodic=periodic_tasks(settings),
    )


def _sampled(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count(Review.id)).where(Review.sampled)) or 0)


def test_the_leading_reconciler_draws_the_sampling_plans_when_due(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, sampling_draw_every_s=3600)
    upgrade_database(settings.db_url)
    engine = make_engine(settings.db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        agent = create_agent(s)
        for _ in range(3):
            create_scored_call(s, agent.id, GOOD)
        s.add(
            SamplingPlan(
                name="Two", calls_per_agent=2, period="week", created_at=utcnow() - timedelta(days=9)
            )
        )
        s.commit()
    leader, follower = _reconciler(factory, settings, "node-a"), _reconciler(factory, settings, "node-b")
    assert leader.run_once().led
    assert _sampled(factory) == 2
    with factory() as s:
        s.execute(delete(Review))  # as if the draw had not happened: only a due draw would redo it
        s.commit()
    assert not follower.run_once().led
    assert leader.run_once().led  # not due again for an hour
    assert _sampled(factory) == 0
    engine.dispose()


def test_a_draw_that_collides_with_another_workers_on_sqlite_is_one_log_line_and_redone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    engine, other_worker = make_engine(url), make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        agent = create_agent(s)
        for _ in range(3):
            create_scored_call(s, agent.id, GOOD)
        s.add(SamplingPlan(name="Two", calls_per_agent=2, period="week"))
        s.commit()
    collided: list[bool] = []

    # As two workers drawing at once: the other commits its draw after this one read the plan's slots and
    # before it writes, so SQLite refuses this one's write (its snapshot is stale: "database is locked").
    @event.listens_for(engine, "before_cursor_execute")
    def other_worker_draws_first(*args: Any) -> None:
        if args[2].startswith("INSERT INTO reviews") and not collided:
            collided.append(True)
            with session_scope(make_session_factory(other_worker)) as other:
                draw_sampling_plans(other)

    tasks = PeriodicTasks(factory, [(0.0, draw_sampling_plans)], owner="worker-1")
    with caplog.at_level(logging.INFO, logger="callqa.services.worker"):
        tasks.run_due()
        assert collided and _sampled(factory) == 2  # the other worker's draw
        tasks.run_due()  # the next run: the plan is full, nothing to do
    assert _sampled(factory) == 2
    said = [r for r in caplog.records if r.name == "callqa.services.worker"]
    assert len(said) == 1, caplog.text
    assert said[0].levelno == logging.WARNING and said[0].exc_info is None
    assert said[0].getMessage() == (
        "worker worker-1: periodic task draw_sampling_plans not done this time "
        "(OperationalError: database is locked); it runs again in 0 s"
    )
    engine.dispose()
    other_worker.dispose()
