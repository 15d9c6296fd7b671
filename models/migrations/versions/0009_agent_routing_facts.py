"""agents' languages, extension and tier; the routing-facts version and change log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 02:30:00

Columns are added with plain ALTER TABLE (no batch copy): on SQLite a batch migration drops and recreates
the table, and with foreign keys on that drop deletes every row that cascades from it (agent skills,
presence) and unlinks their calls.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("languages", sa.JSON(), nullable=False, server_default='["en"]'))
    op.add_column("agents", sa.Column("extension", sa.String(length=80), nullable=True))
    op.add_column("agents", sa.Column("tier", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("uq_agents_extension", "agents", ["extension"], unique=True)
    op.create_table(
        "routing_sync",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_sync")),
    )
    op.execute("INSERT INTO routing_sync (id, version) VALUES (1, 0)")
    op.create_table(
        "routing_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_changes")),
    )
    op.create_index(op.f("ix_routing_changes_version"), "routing_changes", ["version"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_routing_changes_version"), table_name="routing_changes")
    op.drop_table("routing_changes")
    op.drop_table("routing_sync")
    op.drop_index("uq_agents_extension", table_name="agents")
    op.drop_column("agents", "tier")
    op.drop_column("agents", "extension")
    op.drop_column("agents", "languages")
