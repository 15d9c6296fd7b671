"""Scorecards kept in the database: every version of each scorecard (drafts being edited, published ones
that scored calls, never changed after), and the scores a call had before it was re-scored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

SCORECARD_STATES = ("draft", "published")


class ScorecardVersion(Base):
    """One version of scorecard `scorecard_id` (the id calls' scores name). `definition` is the card in
    its YAML shape without id and version (`scoring.scorecard.scorecard_to_data`). A draft has no number
    yet and is the only kind that may change; publishing numbers it (`version` is that number as text, as
    call scores store it) and makes it the active one: the published version with the highest number.
    At most one draft per scorecard, held by a unique index. A version seeded from a YAML file keeps the
    file's version text (its number is that text when it is a whole number, else 0)."""

    __tablename__ = "scorecard_versions"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'published')", name="state_valid"),
        CheckConstraint("state = 'draft' OR (number IS NOT NULL AND version IS NOT NULL)", name="numbered"),
        UniqueConstraint("scorecard_id", "number", name="one_number_per_card"),
        UniqueConstraint("scorecard_id", "version", name="one_version_per_card"),
        Index(
            "uq_scorecard_versions_one_draft",
            "scorecard_id",
            unique=True,
            sqlite_where=text("state = 'draft'"),
            postgresql_where=text("state = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[str] = mapped_column(String(80))
    number: Mapped[int | None]
    version: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    based_on: Mapped[str | None] = mapped_column(String(40))
    """The version the draft was started from (None: imported or seeded)."""
    note: Mapped[str] = mapped_column(Text, default="")
    """What changed, in the editor's words."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]


class ScoreRevision(Base):
    """A call's score as it was before a re-score replaced it: the machine's record (`total`, `items` in
    `CallScore.to_json` form, the scorecard version it was made with), the reviewed total that counted
    then (None: not reviewed), when it was made and who replaced it, when and why."""

    __tablename__ = "score_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    total: Mapped[float]
    scorecard_id: Mapped[str] = mapped_column(String(80))
    scorecard_version: Mapped[str] = mapped_column(String(40))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    final_total: Mapped[float | None]
    scored_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
