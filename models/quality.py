"""QA verdicts, violations and call scores."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.calls import Call


class QAResult(Base):
    """The automatic verdicts for one call. `details` is the full analysis (evidence, metrics, sentiment)."""

    __tablename__ = "qa_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    script_id: Mapped[str] = mapped_column(String(80))
    script_version: Mapped[str] = mapped_column(String(40))
    engine: Mapped[str] = mapped_column(String(120))
    greeting_passed: Mapped[bool]
    closing_passed: Mapped[bool]
    empathy: Mapped[bool]
    caller_sentiment_end: Mapped[str | None] = mapped_column(String(8))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="qa_result")
    violations: Mapped[list[QAViolation]] = relationship(
        back_populates="qa_result", cascade="all, delete-orphan", order_by="QAViolation.start_s"
    )


class QAViolation(Base):
    """A forbidden phrase said by the agent: `category` is blame_customer, blame_shifting or rude.

    `source` is how it was found (`phrase` list or sentence `model`); `state` is `fail`, or `uncertain`
    when the evidence was weak and a person should listen before it counts against the agent.
    """

    __tablename__ = "qa_violations"
    __table_args__ = (
        CheckConstraint("source IN ('phrase', 'model')", name="source_valid"),
        CheckConstraint("state IN ('fail', 'uncertain')", name="state_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    qa_result_id: Mapped[int] = mapped_column(ForeignKey("qa_results.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    start_s: Mapped[float]
    end_s: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float]
    source: Mapped[str] = mapped_column(String(10), default="phrase", server_default="phrase")
    state: Mapped[str] = mapped_column(String(10), default="fail", server_default="fail")

    qa_result: Mapped[QAResult] = relationship(back_populates="violations")


class CallScore(Base):
    """A call's 0–100 score on a scorecard; `items` holds the per-item points."""

    __tablename__ = "call_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    total: Mapped[float]
    scorecard_id: Mapped[str] = mapped_column(String(80))
    scorecard_version: Mapped[str] = mapped_column(String(40))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="score")
