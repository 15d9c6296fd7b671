"""Queue speed: a transcript search index (SQLite FTS5 trigram, PostgreSQL pg_trgm GIN) and the queue
index in the queue's own order

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 09:40:00

The queue's "words said in the call" is a case-insensitive substring test on transcript segments. Both
indexes answer exactly that test (patterns of three or more characters) without reading every segment:
- SQLite: an external-content FTS5 table `transcript_fts` over transcript_segments.text with the trigram
  tokenizer (SQLite >= 3.34), whose LIKE uses the index; triggers keep it in step with the segments, and
  the segments already stored are indexed here ('rebuild').
- PostgreSQL: the pg_trgm extension (trusted: a database owner may create it) and a GIN trigram index on
  transcript_segments.text, which ILIKE uses.
Neither is an ORM table or index: models.migrate.SEARCH_INDEX names them, and the schema comparison
(tests/models/test_schema.py, migrations/env.py) leaves them out.
The queue index ix_reviews_queue becomes (state, severity DESC, flagged_at, id, call_id): the default
sort's order (most severe, then oldest flagged), so a page is a walk along the index with no sort of every
open review, and with the call id, so the reviews of the calls a search found come from the index alone.
"""

import sqlite3
from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE transcript_fts USING fts5("
    "text, content='transcript_segments', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER transcript_fts_insert AFTER INSERT ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER transcript_fts_delete AFTER DELETE ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER transcript_fts_update AFTER UPDATE OF text ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO transcript_fts (rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.drop_index("ix_reviews_queue", table_name="reviews")
    op.execute("CREATE INDEX ix_reviews_queue ON reviews (state, severity DESC, flagged_at, id, call_id)")
    if op.get_bind().dialect.name == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34, 0):
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; 3.34+ needed")
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_transcript_segments_text_trgm ON transcript_segments USING gin (text gin_trgm_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_reviews_queue", table_name="reviews")
    op.create_index("ix_reviews_queue", "reviews", ["state", "severity", "flagged_at"])
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER transcript_fts_{trigger}")
        op.execute("DROP TABLE transcript_fts")
        return
    op.execute("DROP INDEX ix_transcript_segments_text_trgm")
