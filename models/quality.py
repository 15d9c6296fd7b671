"""QA verdicts, violations and call scores."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.calls import Call


class QAResult(Base):
    """The automatic verdicts for one call. `analysis` is the `qa.analysis.CallAnalysis` record in its
    `to_json` form (checks, violations, evidence, metrics, sentiment), the one place each verdict is
    stored; read it back with `CallAnalysis.from_json`."""

    __tablename__ = "qa_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    script_id: Mapped[str] = mapped_column(String(80))
    script_version: Mapped[str] = mapped_column(String(40))
    engine: Mapped[str] = mapped_column(String(120))
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="qa_result")


class ComplaintReading(Base):
    """Complaint detection's reading of one recorded call (`qa.complaints`), made once when the call is
    analysed (again on a rescore, or by `callqa detect-complaints` for calls analysed before): whether the
    caller complained, where (`evidence`: the matched caller words with their times in s and similarity
    0–100), and the version of the cue lists it was read with. The complaint-rate KPI counts these rows and
    never reads transcripts."""

    __tablename__ = "complaint_readings"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    complained: Mapped[bool]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cues_version: Mapped[str] = mapped_column(String(40))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallScore(Base):
    """A call's machine score (0–100) on a scorecard: `total` and `items` are the
    `scoring.scorecard.CallScore` record's fields in its `to_json` form (read back with
    `CallScore.from_json`); a review's human result lives beside it in `Review.final_total`."""

    __tablename__ = "call_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    total: Mapped[float]
    scorecard_id: Mapped[str] = mapped_column(String(80))
    scorecard_version: Mapped[str] = mapped_column(String(40))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="score")
