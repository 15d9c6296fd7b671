"""Complaints stored per call: complaint detection's reading of each analysed recording

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 13:00:00

One new table. Calls analysed before it have no reading until `callqa detect-complaints` reads them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_readings",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("complained", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("cues_version", sa.String(length=40), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_complaint_readings_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_complaint_readings")),
    )


def downgrade() -> None:
    op.drop_table("complaint_readings")
