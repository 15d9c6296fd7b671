"""calls.hotline_call_id references hotline_calls (a foreign key: a linked hotline call cannot be deleted)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:40:00

No batch copy of `calls` (recreating it deletes, through its cascades, every transcript, QA result and
score: see 0009/0012). PostgreSQL: ALTER TABLE ADD CONSTRAINT. SQLite cannot add a constraint to a column,
so a new column that carries the reference is added (ALTER TABLE ADD COLUMN ... REFERENCES), filled from
the old one, which is dropped (SQLite >= 3.35 rewrites the rows in place: nothing is deleted, no cascade
fires) before the new one takes its name. A link to a hotline call that does not exist (none should: hotline
calls are never deleted) is cleared first, or the reference could not hold.
"""

import sqlite3
from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_calls_hotline_call_id_hotline_calls"


def upgrade() -> None:
    op.execute(
        "UPDATE calls SET hotline_call_id = NULL WHERE hotline_call_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM hotline_calls WHERE hotline_calls.id = calls.hotline_call_id)"
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(FK, "calls", "hotline_calls", ["hotline_call_id"], ["id"])
        return
    if sqlite3.sqlite_version_info < (3, 35, 0):
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} cannot drop a column; 3.35 or newer is needed")
    op.drop_index("ix_calls_hotline_call_id", table_name="calls")
    op.execute(
        f"ALTER TABLE calls ADD COLUMN hotline_call_ref INTEGER CONSTRAINT {FK} REFERENCES hotline_calls (id)"
    )
    op.execute("UPDATE calls SET hotline_call_ref = hotline_call_id")
    op.execute("ALTER TABLE calls DROP COLUMN hotline_call_id")
    op.execute("ALTER TABLE calls RENAME COLUMN hotline_call_ref TO hotline_call_id")
    op.create_index("ix_calls_hotline_call_id", "calls", ["hotline_call_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "calls", type_="foreignkey")
        return
    op.drop_index("ix_calls_hotline_call_id", table_name="calls")
    op.execute("ALTER TABLE calls ADD COLUMN hotline_call_plain INTEGER")
    op.execute("UPDATE calls SET hotline_call_plain = hotline_call_id")
    op.execute("ALTER TABLE calls DROP COLUMN hotline_call_id")
    op.execute("ALTER TABLE calls RENAME COLUMN hotline_call_plain TO hotline_call_id")
    op.create_index("ix_calls_hotline_call_id", "calls", ["hotline_call_id"])
