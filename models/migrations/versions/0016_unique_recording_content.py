"""One stored recording per content hash: a partial unique index on recordings.sha256

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:10:00

Copies stored before ingest refused duplicates (the same file ingested twice) are kept, with their
call, transcript and score: `duplicate_of` names the earliest recording with the same hash and the index
leaves them out. Plain ALTER TABLE ADD COLUMN and CREATE INDEX, no batch copy (recreating `recordings`
would not cascade, but the rule is kept: see 0009 and 0012).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("recordings", sa.Column("duplicate_of", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE recordings SET duplicate_of = (
            SELECT MIN(first.id) FROM recordings AS first WHERE first.sha256 = recordings.sha256
        )
        WHERE id > (SELECT MIN(first.id) FROM recordings AS first WHERE first.sha256 = recordings.sha256)
        """
    )
    op.create_index(
        "uq_recordings_sha256",
        "recordings",
        ["sha256"],
        unique=True,
        sqlite_where=sa.text("duplicate_of IS NULL"),
        postgresql_where=sa.text("duplicate_of IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_recordings_sha256", table_name="recordings")
    op.drop_column("recordings", "duplicate_of")
