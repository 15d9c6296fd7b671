"""Tiers and escalation: a hotline call's lowest tier and its current leg's answer; the escalations log

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 09:00:00

Columns are added with plain ALTER TABLE and a server default (no batch copy: on SQLite a batch migration
recreates the table, and its drop cascades to the rows hanging off hotline calls); one new table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hotline_calls", sa.Column("min_tier", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("hotline_calls", sa.Column("leg_answered_at", UTCDateTime(), nullable=True))
    op.create_table(
        "call_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("from_agent_id", sa.Integer(), nullable=True),
        sa.Column("from_tier", sa.Integer(), nullable=False),
        sa.Column("to_tier", sa.Integer(), nullable=False),
        sa.Column("skills_before", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["hotline_calls.id"],
            name=op.f("fk_call_escalations_call_id_hotline_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_agent_id"],
            ["agents.id"],
            name=op.f("fk_call_escalations_from_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_escalations")),
    )
    op.create_index(op.f("ix_call_escalations_call_id"), "call_escalations", ["call_id"], unique=False)
    op.create_index(
        op.f("ix_call_escalations_from_agent_id"), "call_escalations", ["from_agent_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_call_escalations_from_agent_id"), table_name="call_escalations")
    op.drop_index(op.f("ix_call_escalations_call_id"), table_name="call_escalations")
    op.drop_table("call_escalations")
    op.drop_column("hotline_calls", "leg_answered_at")
    op.drop_column("hotline_calls", "min_tier")
