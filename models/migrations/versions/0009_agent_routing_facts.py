"""agents' languages, extension and tier; the routing-facts version and change log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 02:30:00
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
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default='["en"]'))
        batch_op.add_column(sa.Column("extension", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("tier", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_unique_constraint(batch_op.f("uq_agents_extension"), ["extension"])
        batch_op.create_check_constraint("tier_positive", "tier >= 1")
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
    with op.batch_alter_table("routing_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_changes_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routing_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_changes_version"))
    op.drop_table("routing_changes")
    op.drop_table("routing_sync")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_constraint("tier_positive", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_agents_extension"), type_="unique")
        batch_op.drop_column("tier")
        batch_op.drop_column("extension")
        batch_op.drop_column("languages")
