"""PBX call ids on hotline calls and recorded calls; a recorded call linked to its routed call; direction

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 03:05:00

Plain ALTER TABLE, no batch copy: recreating `calls` on SQLite would delete, through its cascades, every
transcript, QA result and score (see 0009). For the same reason `hotline_call_id` has no foreign key
(SQLite adds one only by copying the table); hotline calls are never deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hotline_calls", sa.Column("pbx_call_id", sa.String(length=120), nullable=True))
    op.create_index("uq_hotline_calls_pbx_call_id", "hotline_calls", ["pbx_call_id"], unique=True)
    op.add_column("calls", sa.Column("pbx_call_id", sa.String(length=120), nullable=True))
    op.add_column("calls", sa.Column("direction", sa.String(length=8), nullable=True))
    op.add_column("calls", sa.Column("hotline_call_id", sa.Integer(), nullable=True))
    op.create_index("uq_calls_pbx_call_id", "calls", ["pbx_call_id"], unique=True)
    op.create_index(op.f("ix_calls_hotline_call_id"), "calls", ["hotline_call_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calls_hotline_call_id"), table_name="calls")
    op.drop_index("uq_calls_pbx_call_id", table_name="calls")
    op.drop_column("calls", "hotline_call_id")
    op.drop_column("calls", "direction")
    op.drop_column("calls", "pbx_call_id")
    op.drop_index("uq_hotline_calls_pbx_call_id", table_name="hotline_calls")
    op.drop_column("hotline_calls", "pbx_call_id")
