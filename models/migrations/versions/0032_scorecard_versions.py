"""scorecard versions in the database, and the scores calls had before a re-score

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 16:10:00

New tables only (scorecard_versions, score_revisions): nothing existing is copied or altered. Call scores
already name the scorecard id and version they were made with; the first start after this migration stores
the YAML scorecard as its published version, so those scores keep meaning what they meant.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFT = sa.text("state = 'draft'")


def upgrade() -> None:
    op.create_table(
        "scorecard_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.String(length=80), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("based_on", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'published')", name=op.f("ck_scorecard_versions_state_valid")),
        sa.CheckConstraint(
            "state = 'draft' OR (number IS NOT NULL AND version IS NOT NULL)",
            name=op.f("ck_scorecard_versions_numbered"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_scorecard_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
            name=op.f("fk_scorecard_versions_published_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_versions")),
        sa.UniqueConstraint("scorecard_id", "number", name="one_number_per_card"),
        sa.UniqueConstraint("scorecard_id", "version", name="one_version_per_card"),
    )
    op.create_index(
        "uq_scorecard_versions_one_draft",
        "scorecard_versions",
        ["scorecard_id"],
        unique=True,
        sqlite_where=DRAFT,
        postgresql_where=DRAFT,
    )
    op.create_table(
        "score_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("scorecard_id", sa.String(length=80), nullable=False),
        sa.Column("scorecard_version", sa.String(length=40), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("final_total", sa.Double(), nullable=True),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_score_revisions_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by"],
            ["users.id"],
            name=op.f("fk_score_revisions_replaced_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_revisions")),
    )
    op.create_index(op.f("ix_score_revisions_call_id"), "score_revisions", ["call_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_score_revisions_call_id"), table_name="score_revisions")
    op.drop_table("score_revisions")
    op.drop_index(
        "uq_scorecard_versions_one_draft",
        table_name="scorecard_versions",
        sqlite_where=DRAFT,
        postgresql_where=DRAFT,
    )
    op.drop_table("scorecard_versions")
