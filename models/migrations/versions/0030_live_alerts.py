"""live alerts: supervisor-wall alerts of live calls, stored until acknowledged

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 16:00:00

A new table only (live_alerts): nothing existing is copied or altered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_key", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("say", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("at_s", sa.Double(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_live_alerts_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_live_alerts_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_alerts")),
    )
    op.create_index(op.f("ix_live_alerts_call_key"), "live_alerts", ["call_key"])
    op.create_index("ix_live_alerts_agent_open", "live_alerts", ["agent_id", "acknowledged_at"])


def downgrade() -> None:
    op.drop_index("ix_live_alerts_agent_open", table_name="live_alerts")
    op.drop_index(op.f("ix_live_alerts_call_key"), table_name="live_alerts")
    op.drop_table("live_alerts")
