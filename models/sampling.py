"""Sampling plans: per reviewer, N calls per agent per period drawn at random into the review queue, by
rule (which calls are eligible), in place of the one global weekly quota."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

SAMPLING_PERIODS = ("day", "week", "month")


class SamplingPlan(Base):
    """Draw `calls_per_agent` calls of each agent in scope (a team, or every agent) per `period` (UTC day,
    ISO week from Monday, calendar month) into the queue for `reviewer_id`. Eligible calls are scored, not
    already in the queue, and pass the rule: a machine score at most `max_score` (0–100) and a duration of
    at least `min_duration_s` seconds, each when set."""

    __tablename__ = "sampling_plans"
    __table_args__ = (
        CheckConstraint("period IN ('day', 'week', 'month')", name="period_valid"),
        CheckConstraint("calls_per_agent BETWEEN 1 AND 100", name="calls_per_agent_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who the drawn reviews are assigned to; None (e.g. the reviewer was deleted): unassigned."""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    """Only this team's agents; None: every agent."""
    calls_per_agent: Mapped[int]
    period: Mapped[str] = mapped_column(String(8))
    max_score: Mapped[float | None]
    min_duration_s: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanSample(Base):
    """One call a plan drew: slot `slot` (1..calls_per_agent) of `agent_id` in the period starting at
    `period_start`. The unique slot holds the quota when two draws run at once."""

    __tablename__ = "plan_samples"
    __table_args__ = (
        UniqueConstraint("plan_id", "agent_id", "period_start", "slot", name="one_call_per_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sampling_plans.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    period_start: Mapped[datetime]
    slot: Mapped[int]
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), unique=True)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
