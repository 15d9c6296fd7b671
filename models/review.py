"""The QA workflow: calls flagged for human review, reviewers' verdicts per scorecard item (beside the
machine's), and agents' disputes of an item of their own evaluation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

REVIEW_STATES = ("open", "done")
DISPUTE_STATES = ("open", "upheld", "rejected")


class Review(Base):
    """A call in the review queue. `severity` orders the queue (higher first, then older first)."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("state IN ('open', 'done')", name="state_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(8), default="open")
    severity: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    sampled: Mapped[bool] = mapped_column(default=False)  # a random sample, not flagged by a rule
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    machine_total: Mapped[float | None]
    final_total: Mapped[float | None]

    verdicts: Mapped[list[ItemVerdict]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ItemVerdict.id"
    )


# The default queue order (most severe, then oldest flagged) with the call: a page, or the open reviews
# of the calls a search found, come from the index alone, without sorting every open review.
Index("ix_reviews_queue", Review.state, Review.severity.desc(), Review.flagged_at, Review.id, Review.call_id)


class ItemVerdict(Base):
    """A reviewer's verdict on one scorecard item, kept beside the machine's."""

    __tablename__ = "item_verdicts"
    __table_args__ = (UniqueConstraint("review_id", "item", name="one_verdict_per_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(80))
    machine_passed: Mapped[bool | None]
    human_passed: Mapped[bool | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship(back_populates="verdicts")


class Dispute(Base):
    """An agent contesting one item of their call's evaluation; a QA reviewer upholds or rejects it."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'upheld', 'rejected')", name="state_valid"),
        # One open dispute per item of a call, enforced by the database so concurrent filings cannot
        # both pass the service's check (a partial index: resolved disputes may repeat).
        Index(
            "uq_disputes_open_item",
            "call_id",
            "item",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(80))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text)
    wanted_passed: Mapped[bool | None]
    """The verdict the agent argues for, fixed when filed (the opposite of the verdict then: a fail or
    not-applicable item argued as passed, a passed one as failed); upholding sets the item to it. NULL on
    disputes filed before it was recorded: those argue for a pass."""
    state: Mapped[str] = mapped_column(String(10), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class ManualScore(Base):
    """What the system cannot measure, entered by QA staff per agent and month (0–100 each):
    product knowledge and performance (targets met), for the monthly composite."""

    __tablename__ = "manual_scores"
    __table_args__ = (UniqueConstraint("agent_id", "month", name="one_per_agent_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    knowledge: Mapped[float | None]
    performance: Mapped[float | None]
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
