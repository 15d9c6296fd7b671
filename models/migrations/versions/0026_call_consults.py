"""Warm transfer: a consult leg per hand-over (an agent consults a higher tier while the caller holds)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 12:40:00

One new table, nothing altered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WITH_AGENT = "state IN ('offered', 'talking')"
_OPEN = "state IN ('waiting', 'offered', 'talking')"


def upgrade() -> None:
    op.create_table(
        "call_consults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("from_agent_id", sa.Integer(), nullable=True),
        sa.Column("from_tier", sa.Integer(), nullable=False),
        sa.Column("to_tier", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("to_agent_id", sa.Integer(), nullable=True),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("offered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["hotline_calls.id"],
            name=op.f("fk_call_consults_call_id_hotline_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_agent_id"],
            ["agents.id"],
            name=op.f("fk_call_consults_from_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_agent_id"],
            ["agents.id"],
            name=op.f("fk_call_consults_to_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["call_escalations.id"],
            name=op.f("fk_call_consults_escalation_id_call_escalations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_consults")),
    )
    op.create_index(
        "uq_call_consults_agent_active",
        "call_consults",
        ["to_agent_id"],
        unique=True,
        sqlite_where=sa.text(_WITH_AGENT),
        postgresql_where=sa.text(_WITH_AGENT),
    )
    op.create_index(
        "uq_call_consults_call_open",
        "call_consults",
        ["call_id"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_call_consults_call_open", table_name="call_consults")
    op.drop_index("uq_call_consults_agent_active", table_name="call_consults")
    op.drop_table("call_consults")
