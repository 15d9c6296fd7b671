"""Migration 0025 on a SQLite database holding transcripts: the segments already stored are searchable
at once (the FTS5 index is built from them), and the triggers keep the index in step with every insert,
edit and delete afterwards; the queue index keeps every review."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from models import make_engine
from models.migrate import upgrade_database


def _found(conn: sa.Connection, words: str) -> list[int]:
    rows = conn.execute(
        sa.text("SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH :p ORDER BY rowid"),
        {"p": f'"{words}"'},
    )
    return [r for (r,) in rows]


def test_stored_transcripts_are_indexed_and_kept_in_step(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0024")
    engine = make_engine(url)
    with engine.begin() as conn:
        for call_id, text in ((1, "My WARRANTY claim was refused"), (2, "my bill is too high")):
            conn.execute(
                sa.text(
                    "INSERT INTO calls (id, language, started_at, status, created_at) "
                    "VALUES (:id, 'en', '2026-11-01', 'done', '2026-11-01')"
                ),
                {"id": call_id},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO transcript_segments (id, call_id, speaker, start_s, end_s, text, "
                    "confidence, words, alternatives, engine) "
                    "VALUES (:id, :id, 'caller', 0, 1, :t, 1, '[]', '[]', 'test')"
                ),
                {"id": call_id, "t": text},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO reviews (call_id, state, severity, reasons, sampled, flagged_at) "
                    "VALUES (:id, 'open', 1, '[]', 0, '2026-11-01')"
                ),
                {"id": call_id},
            )
    engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        assert _found(conn, "warranty") == [1] and _found(conn, "bill is") == [2]
        assert conn.execute(sa.text("SELECT count(*) FROM reviews")).scalar() == 2
        conn.execute(sa.text("UPDATE transcript_segments SET text = 'the warranty ran out' WHERE id = 2"))
        conn.execute(sa.text("DELETE FROM transcript_segments WHERE id = 1"))
        assert _found(conn, "warranty") == [2] and _found(conn, "bill is") == []
    engine.dispose()
