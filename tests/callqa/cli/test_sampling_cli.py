"""`callqa sample` draws every active sampling plan (for a scheduler): a second run in the same period adds
nothing, a run for another period draws that period's calls, a switched-off plan draws nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from models import Agent, Review, SamplingPlan, User, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.conftest import callqa_ok, create_scored_call, run_callqa

GOOD = {"greeting": True, "closing": True, "courtesy": True, "empathy": None, "no_dead_air": True}
WEEK_47 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday


def test_sample_tops_plans_up_per_period(tmp_path: Path) -> None:
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    url = f"sqlite:///{(tmp_path / 'callqa.db').resolve()}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        agent = Agent(name="Sol Ray")
        qa = User(username="qa", password_hash="-", role="qa")
        s.add_all([agent, qa])
        s.flush()
        for day in range(3):
            for week in (0, 1):
                create_scored_call(s, agent.id, GOOD, at=WEEK_47 + timedelta(days=day + 7 * week))
        s.add(SamplingPlan(name="Weekly two", reviewer_id=qa.id, calls_per_agent=2, period="week"))
        s.add(SamplingPlan(name="Off", calls_per_agent=5, period="week", active=False))
        s.commit()

    first = callqa_ok("sample", "--at", "2026-11-18", "--seed", "1", env=env)
    assert " ".join(first.stdout.split()) == "Weekly two: 2 calls drawn"
    again = callqa_ok("sample", "--at", "2026-11-19T10:00", env=env)
    assert " ".join(again.stdout.split()) == "Weekly two: 0 calls drawn"
    callqa_ok("sample", "--at", "2026-11-24", "--seed", "2", env=env)  # week 48
    with factory() as s:
        drawn = s.scalars(select(Review).where(Review.sampled)).all()
        assert len(drawn) == 4 and {r.assignee_id for r in drawn} == {qa.id}
        assert s.scalar(select(func.count(Review.id))) == 4
    engine.dispose()
    bad = run_callqa("sample", "--at", "last tuesday", env=env)
    assert bad.returncode != 0 and "not an ISO date" in bad.stderr
