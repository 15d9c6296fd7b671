"""calibration sets: several calls calibrated together, one session per call

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 16:15:00

New tables only (calibration_sets, calibration_set_sessions): nothing existing is copied or altered; the
sessions already stored stay sessions of one call, in no set.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calibration_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revealed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'revealed')", name=op.f("ck_calibration_sets_state_valid")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_calibration_sets_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_calibration_sets_expert_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sets")),
    )
    op.create_table(
        "calibration_set_sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_set_sessions_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["calibration_sets.id"],
            name=op.f("fk_calibration_set_sessions_set_id_calibration_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_calibration_set_sessions")),
    )
    op.create_index(op.f("ix_calibration_set_sessions_set_id"), "calibration_set_sessions", ["set_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calibration_set_sessions_set_id"), table_name="calibration_set_sessions")
    op.drop_table("calibration_set_sessions")
    op.drop_table("calibration_sets")
