"""The workers' periodic work in broker mode: Celery's pool processes never run it, so the reconciler that
leads does (the sampling plans' draws, the retention purge), when due; a reconciler that does not lead
leaves it alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.leader import LeaderLease
from callqa.services.periodic import periodic_tasks
from callqa.services.reconciler import Reconciler
from callqa.settings import Settings
from models import Review, SamplingPlan, make_engine, make_session_factory, utcnow
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
