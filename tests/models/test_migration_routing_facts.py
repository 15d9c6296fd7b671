"""Migrating a SQLite database with agents, skills and calls to agents' routing facts and PBX links
keeps every row (a batch copy of `agents` or `calls` would have deleted their cascades)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from models import make_engine
from models.migrate import upgrade_database


def test_routing_facts_and_pbx_links_keep_existing_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0008")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO agents (id, name, active, created_at) VALUES (1, 'Bea', 1, '2026-11-01')")
        )
        conn.execute(sa.text("INSERT INTO skills (id, name) VALUES (1, 'billing')"))
        conn.execute(sa.text("INSERT INTO agent_skills (agent_id, skill_id, proficiency) VALUES (1, 1, 3)"))
        conn.execute(
            sa.text(
                "INSERT INTO calls (id, agent_id, language, started_at, status, created_at) "
                "VALUES (1, 1, 'en', '2026-11-01', 'done', '2026-11-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO call_scores (id, call_id, total, scorecard_id, scorecard_version, items, "
                "created_at) VALUES (1, 1, 80.0, 'default', '1', '[]', '2026-11-01')"
            )
        )
    engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT proficiency FROM agent_skills")).all() == [(3,)]
        assert conn.execute(sa.text("SELECT agent_id, hotline_call_id FROM calls")).all() == [(1, None)]
        assert conn.execute(sa.text("SELECT total FROM call_scores")).all() == [(80.0,)]
        assert conn.execute(sa.text("SELECT languages, tier FROM agents")).all() == [('["en"]', 1)]
    engine.dispose()
