"""disputes.wanted_passed: the verdict an agent argues for, fixed when the dispute is filed

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 12:20:00

One nullable column added in place (ALTER TABLE ... ADD COLUMN on both SQLite and PostgreSQL): no table is
copied, and the disputes already stored keep every value. Their new column is NULL, which the service
reads as arguing for a pass (what an agent's dispute of a failed item asks for).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("disputes", sa.Column("wanted_passed", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # SQLite >= 3.35 drops a column in place (no table copy); PostgreSQL always has.
    op.drop_column("disputes", "wanted_passed")
