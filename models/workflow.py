"""What happens to an evaluation after the machine scored it: every verdict change with who, when and why
(append-only, so nothing a reviewer wrote is ever overwritten), the comment thread between reviewer,
agent and supervisor, and each user's in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

EVENT_KINDS = ("verdict", "dispute_filed", "dispute_upheld", "dispute_rejected", "acknowledged")
NOTIFICATION_KINDS = ("dispute_filed", "dispute_resolved", "evaluation_released", "comment", "calibration")


class EvaluationEvent(Base):
    """One step in a call's evaluation history, never updated: a verdict on `item` changing from `before`
    to `after` ("pass", "fail", "na"; None = the machine's first word or no verdict), a dispute filed or
    resolved, or the agent acknowledging the evaluation. `note` is the reason the actor gave."""

    __tablename__ = "evaluation_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('verdict', 'dispute_filed', 'dispute_upheld', 'dispute_rejected', 'acknowledged')",
            name="kind_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    item: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[str | None] = mapped_column(String(8))
    after: Mapped[str | None] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[float | None]  # the call's score (0–100) right after this step, when it changed it
    at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationComment(Base):
    """A message in the thread on a call's evaluation (reviewer, agent or supervisor)."""

    __tablename__ = "evaluation_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """Something a user should look at (see NOTIFICATION_KINDS); unread until `read_at`."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('dispute_filed', 'dispute_resolved', 'evaluation_released', 'comment', 'calibration')",
            name="kind_valid",
        ),
        Index("ix_notifications_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
