"""Adding the foreign key calls.hotline_call_id → hotline_calls to a SQLite database holding calls keeps
every call with its transcript, QA result and score (no batch copy of `calls`, whose cascades would delete
them), keeps each call's link, clears a link to a hotline call that does not exist, and then holds."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import make_engine
from models.migrate import upgrade_database


def test_the_hotline_call_key_keeps_every_call_and_its_link(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0016")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO hotline_calls (id, caller_number, skills, language, priority, state, "
                "arrived_at, excluded, callback, relax_level) "
                "VALUES (7, '+44', '{}', 'en', 0, 'ended', '2026-11-01', '[]', 0, 0)"
            )
        )
        for call_id, hotline in ((1, 7), (2, None), (3, 99)):  # 99: a link to nothing
            conn.execute(
                sa.text(
                    "INSERT INTO calls (id, language, started_at, status, created_at, hotline_call_id) "
                    "VALUES (:id, 'en', '2026-11-01', 'done', '2026-11-01', :h)"
                ),
                {"id": call_id, "h": hotline},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO call_scores (call_id, total, scorecard_id, scorecard_version, items, "
                    "created_at) VALUES (:id, 80.0, 'default', '1', '[]', '2026-11-01')"
                ),
                {"id": call_id},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO transcript_segments (call_id, speaker, start_s, end_s, text, confidence, "
                    "words, alternatives, engine) VALUES (:id, 'agent', 0, 1, 'hello', 1, '[]', '[]', 'test')"
                ),
                {"id": call_id},
            )
    engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, hotline_call_id FROM calls ORDER BY id")).all() == [
            (1, 7),
            (2, None),
            (3, None),
        ]
        assert conn.execute(sa.text("SELECT count(*) FROM call_scores")).scalar() == 3
        assert conn.execute(sa.text("SELECT count(*) FROM transcript_segments")).scalar() == 3
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(sa.text("UPDATE calls SET hotline_call_id = 42 WHERE id = 2"))
    engine.dispose()
