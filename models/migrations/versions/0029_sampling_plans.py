"""sampling plans: per reviewer, N calls per agent per period drawn into the review queue

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 12:45:00

New tables only (sampling_plans, plan_samples): nothing existing is copied or altered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sampling_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("calls_per_agent", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("max_score", sa.Double(), nullable=True),
        sa.Column("min_duration_s", sa.Double(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("period IN ('day', 'week', 'month')", name=op.f("ck_sampling_plans_period_valid")),
        sa.CheckConstraint(
            "calls_per_agent BETWEEN 1 AND 100", name=op.f("ck_sampling_plans_calls_per_agent_valid")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_sampling_plans_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sampling_plans_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sampling_plans_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampling_plans")),
    )
    op.create_table(
        "plan_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sampling_plans.id"],
            name=op.f("fk_plan_samples_plan_id_sampling_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_plan_samples_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_plan_samples_review_id_reviews"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_samples")),
        sa.UniqueConstraint("plan_id", "agent_id", "period_start", "slot", name="one_call_per_slot"),
        sa.UniqueConstraint("review_id", name=op.f("uq_plan_samples_review_id")),
    )
    op.create_index(op.f("ix_plan_samples_plan_id"), "plan_samples", ["plan_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_samples_plan_id"), table_name="plan_samples")
    op.drop_table("plan_samples")
    op.drop_table("sampling_plans")
