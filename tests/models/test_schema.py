"""The migrated schema matches the ORM models, on SQLite and PostgreSQL; timestamps stay timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import AgentSkill, Base, Call, Skill, User
from models.migrate import modelled
from tests.conftest import create_agent


def test_migrations_match_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        # The search index (models.migrate.SEARCH_INDEX) is dialect-specific schema no model describes.
        context = MigrationContext.configure(conn, opts={"include_name": modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_timestamps_round_trip_timezone_aware(session: Session) -> None:
    started = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    call = Call(started_at=started)
    session.add(call)
    session.flush()
    session.expire(call)
    assert call.started_at == started and call.started_at.tzinfo is not None


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(Call(started_at=datetime(2026, 3, 1, 12, 30)))
    with pytest.raises(Exception, match="naive"):
        session.flush()


def test_constraints_hold(session: Session) -> None:
    agent = create_agent(session, skills={"billing": 5})
    assert agent.skills[0].proficiency == 5
    with pytest.raises(IntegrityError), session.begin_nested():
        agent.skills.append(AgentSkill(skill=Skill(name="too-good"), proficiency=9))
        session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(User(username="x", password_hash="h", role="superuser"))
        session.flush()
