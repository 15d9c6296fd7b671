"""Call feedback: the caller's survey digit and the agent's disposition (resolved, complaint)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:10:00

A new table only (nothing copied, no batch mode).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_feedback",
        sa.Column("hotline_call_id", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("surveyed_at", UTCDateTime(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("disposed_by", sa.Integer(), nullable=True),
        sa.Column("disposed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["disposed_by"],
            ["agents.id"],
            name=op.f("fk_call_feedback_disposed_by_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hotline_call_id"],
            ["hotline_calls.id"],
            name=op.f("fk_call_feedback_hotline_call_id_hotline_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hotline_call_id", name=op.f("pk_call_feedback")),
    )


def downgrade() -> None:
    op.drop_table("call_feedback")
