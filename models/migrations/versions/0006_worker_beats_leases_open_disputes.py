"""worker heartbeats, leader leases, one open dispute per item

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    op.create_table(
        "worker_beats",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_beats")),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    # Concurrent filings could leave several open disputes for one item; keep the oldest open, close the
    # others as rejected duplicates, so the unique index below can be built on existing data.
    op.execute(
        """
        UPDATE disputes SET state = 'rejected', resolution = 'duplicate of an earlier open dispute'
        WHERE state = 'open' AND EXISTS (
            SELECT 1 FROM disputes AS older
            WHERE older.call_id = disputes.call_id AND older.item = disputes.item
              AND older.state = 'open' AND older.id < disputes.id
        )
        """
    )
    op.create_index(
        "uq_disputes_open_item",
        "disputes",
        ["call_id", "item"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_disputes_open_item", table_name="disputes", sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_table("leases")
    op.drop_table("worker_beats")
