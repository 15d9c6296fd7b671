"""Appraisals: an agent's self-evaluation and their manager's evaluation per period (month)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

APPRAISAL_KINDS = ("self", "manager")


class Appraisal(Base):
    """One evaluation of agent `agent_id` for `period` (YYYY-MM): by the agent themselves (`self`) or by
    their manager (`manager`), on the parts of the monthly composite (`parts`: part → 0–100). At most one
    of each kind per agent and period (the unique index): a second submission is refused, not merged."""

    __tablename__ = "appraisals"
    __table_args__ = (
        Index("uq_appraisals_agent_period_kind", "agent_id", "period", "kind", unique=True),
        CheckConstraint("kind IN ('self', 'manager')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(8))
    parts: Mapped[dict[str, float]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
