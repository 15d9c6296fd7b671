"""PBX call ids on hotline calls and recorded calls; a recorded call linked to its routed call; direction

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 03:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hotline_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pbx_call_id", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_hotline_calls_pbx_call_id"), ["pbx_call_id"])
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pbx_call_id", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("direction", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("hotline_call_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_calls_pbx_call_id"), ["pbx_call_id"])
        batch_op.create_index(batch_op.f("ix_calls_hotline_call_id"), ["hotline_call_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_hotline_call_id_hotline_calls"),
            "hotline_calls",
            ["hotline_call_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_calls_hotline_call_id_hotline_calls"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_calls_hotline_call_id"))
        batch_op.drop_constraint(batch_op.f("uq_calls_pbx_call_id"), type_="unique")
        batch_op.drop_column("hotline_call_id")
        batch_op.drop_column("direction")
        batch_op.drop_column("pbx_call_id")
    with op.batch_alter_table("hotline_calls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_hotline_calls_pbx_call_id"), type_="unique")
        batch_op.drop_column("pbx_call_id")
