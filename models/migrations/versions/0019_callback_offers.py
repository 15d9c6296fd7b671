"""Callback offers: the hotline calls through which a callback was offered to agents

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:30:00

A new table only (nothing copied, no batch mode). `callbacks.hotline_call_id` keeps the call a callback was
requested on; each offer is a row here (they were written over that link before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callback_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=False),
        sa.Column("hotline_call_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["callbacks.id"],
            name=op.f("fk_callback_offers_callback_id_callbacks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hotline_call_id"],
            ["hotline_calls.id"],
            name=op.f("fk_callback_offers_hotline_call_id_hotline_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_offers")),
        sa.UniqueConstraint("hotline_call_id", name=op.f("uq_callback_offers_hotline_call_id")),
    )
    op.create_index(op.f("ix_callback_offers_callback_id"), "callback_offers", ["callback_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_callback_offers_callback_id"), table_name="callback_offers")
    op.drop_table("callback_offers")
