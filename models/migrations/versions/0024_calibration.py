"""Calibration sessions: members scoring one call blind, their verdicts; 'calibration' notifications

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 09:30:00

Three new tables. The notifications' kind check is widened in place (models.migrate.replace_check, no
copy of `notifications`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime
from models.migrate import replace_check

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('dispute_filed', 'dispute_resolved', 'evaluation_released', 'comment')"
NEW_KINDS = "kind IN ('dispute_filed', 'dispute_resolved', 'evaluation_released', 'comment', 'calibration')"


def upgrade() -> None:
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revealed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'revealed')", name=op.f("ck_calibration_sessions_state_valid")),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_calibration_sessions_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_calibration_sessions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["users.id"],
            name=op.f("fk_calibration_sessions_expert_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
    )
    op.create_index(op.f("ix_calibration_sessions_call_id"), "calibration_sessions", ["call_id"])
    op.create_table(
        "calibration_members",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_members_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calibration_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_calibration_members")),
    )
    op.create_table(
        "calibration_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=False),
        sa.Column("verdict", sa.String(length=4), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('pass', 'fail', 'na')", name=op.f("ck_calibration_verdicts_verdict_valid")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_verdicts_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calibration_verdicts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_verdicts")),
        sa.UniqueConstraint("session_id", "user_id", "item", name=op.f("uq_calibration_verdicts_session_id")),
    )
    replace_check(op.get_bind(), "notifications", "ck_notifications_kind_valid", OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'calibration'")
    replace_check(op.get_bind(), "notifications", "ck_notifications_kind_valid", NEW_KINDS, OLD_KINDS)
    op.drop_table("calibration_verdicts")
    op.drop_table("calibration_members")
    op.drop_index(op.f("ix_calibration_sessions_call_id"), table_name="calibration_sessions")
    op.drop_table("calibration_sessions")
