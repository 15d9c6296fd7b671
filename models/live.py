"""Supervisor-wall alerts raised during live calls, kept after the call (and a restart) until acknowledged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

LIVE_ALERT_KINDS = ("forbidden", "empathy", "silent_caller", "greeting")
"""`forbidden`: the agent said a forbidden remark; `empathy`: the caller turned negative or agitated (a
sentiment drop); `silent_caller`: the caller leg stayed quiet; `greeting`: greeting elements missing after
the opening window."""


class LiveAlert(Base):
    """One alert of one live call: which call (`call_key`, the PBX's key) and agent, what (`kind`, `reason`,
    the approved wording `say`), when (`raised_at`, and `at_s` seconds into the call), and the `evidence`
    (the words heard that raised it, "" when it rests on silence). Acknowledged once, by a supervisor or
    admin."""

    __tablename__ = "live_alerts"
    __table_args__ = (Index("ix_live_alerts_agent_open", "agent_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_key: Mapped[str] = mapped_column(String(64), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    say: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    at_s: Mapped[float]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
