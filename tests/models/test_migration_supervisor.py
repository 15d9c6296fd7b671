"""Migration 0023 (the supervisor role, users.team_id) on a SQLite database holding users with rows
hanging off them: no table is copied, so no cascade deletes a login session, a notification or a comment,
and every link is kept; afterwards a supervisor may be stored, an unknown role still may not, and a team id
must name a team."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from models import make_engine
from models.migrate import alembic_config, upgrade_database

COUNTED = (
    "users",
    "agents",
    "agent_skills",
    "login_sessions",
    "notifications",
    "evaluation_comments",
    "calls",
)


def _fill(conn: sa.Connection) -> None:
    at = "'2026-11-01 10:00:00'"
    conn.execute(sa.text(f"INSERT INTO agents (id, name, active, created_at) VALUES (1, 'Priya', 1, {at})"))
    conn.execute(sa.text("INSERT INTO skills (id, name) VALUES (1, 'billing')"))
    conn.execute(sa.text("INSERT INTO agent_skills (agent_id, skill_id, proficiency) VALUES (1, 1, 4)"))
    for user_id, name, role, agent in ((1, "priya", "agent", 1), (2, "quinn", "qa", None)):
        conn.execute(
            sa.text(
                "INSERT INTO users (id, username, password_hash, role, agent_id, active, created_at) "
                f"VALUES (:id, :name, 'h', :role, :agent, 1, {at})"
            ),
            {"id": user_id, "name": name, "role": role, "agent": agent},
        )
        conn.execute(
            sa.text(
                "INSERT INTO login_sessions (token_hash, user_id, csrf, created_at, expires_at) "
                f"VALUES (:t, :id, 'c', {at}, '2027-01-01 00:00:00')"
            ),
            {"t": f"token-{user_id}", "id": user_id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO notifications (user_id, kind, text, created_at) "
                f"VALUES (:id, 'comment', 'hello', {at})"
            ),
            {"id": user_id},
        )
    conn.execute(
        sa.text(
            "INSERT INTO calls (id, agent_id, language, started_at, status, created_at) "
            f"VALUES (1, 1, 'en', {at}, 'done', {at})"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO evaluation_comments (call_id, author_id, body, created_at) "
            f"VALUES (1, 2, 'why', {at})"
        )
    )


def test_teams_and_the_supervisor_role_keep_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0022")
    engine = make_engine(url)
    with engine.begin() as conn:
        _fill(conn)
        before = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}
    engine.dispose()

    upgrade_database(url)

    engine = make_engine(url)
    with engine.begin() as conn:
        assert {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED} == before
        assert conn.execute(sa.text("SELECT agent_id, team_id FROM users ORDER BY id")).all() == [
            (1, None),
            (None, None),
        ]
        conn.execute(sa.text("INSERT INTO teams (id, name, created_at) VALUES (5, 'Billing', '2026-12-01')"))
        conn.execute(
            sa.text(
                "INSERT INTO users (username, password_hash, role, team_id, active, created_at) "
                "VALUES ('sam', 'h', 'supervisor', 5, 1, '2026-12-01')"
            )
        )
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(sa.text("UPDATE users SET role = 'root' WHERE username = 'quinn'"))
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(sa.text("UPDATE users SET team_id = 99 WHERE username = 'sam'"))
    engine.dispose()


def test_downgrade_refuses_while_supervisors_exist_and_restores_the_old_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES ('sam', 'h', 'supervisor', 1, '2026-12-01')"
            )
        )
    engine.dispose()
    with pytest.raises(RuntimeError, match="supervisor users exist"):
        command.downgrade(alembic_config(url), "0022")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET role = 'qa'"))
    engine.dispose()
    command.downgrade(alembic_config(url), "0022")
    engine = make_engine(url)
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(sa.text("UPDATE users SET role = 'supervisor'"))
    engine.dispose()
