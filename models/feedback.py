"""What a hotline call achieved: the caller's post-call survey digit and the agent's disposition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CallFeedback(Base):
    """One per hotline call. `satisfaction`: the caller's IVR survey digit 1–5 (None: not surveyed);
    `resolved`: the agent's word that the caller's need was met (None: not said); `complaint`: the caller
    complained (agent's disposition). Definitions of the KPIs built on these: `routing/kpis.py`."""

    __tablename__ = "call_feedback"

    hotline_call_id: Mapped[int] = mapped_column(
        ForeignKey("hotline_calls.id", ondelete="CASCADE"), primary_key=True
    )
    satisfaction: Mapped[int | None]
    surveyed_at: Mapped[datetime | None]
    resolved: Mapped[bool | None]
    complaint: Mapped[bool] = mapped_column(default=False)
    disposed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    disposed_at: Mapped[datetime | None]
