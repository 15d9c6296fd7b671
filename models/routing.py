"""Hotline routing state: calls in the queue, agents' presence, and the logged routing decisions.

The router itself lives in memory (routing/); these tables are its durable copy, so a restart rebuilds
the queue exactly, and a partial unique index makes it impossible to store two active calls for one agent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

HOTLINE_STATES = ("waiting", "offered", "talking", "ended", "abandoned")
AGENT_PRESENCE = ("available", "on_call", "wrap_up", "break", "offline")
_ACTIVE = "state IN ('offered', 'talking')"


class HotlineCall(Base):
    """A call that reached the hotline. Times are UTC; `skills` maps skill name → minimum level."""

    __tablename__ = "hotline_calls"
    __table_args__ = (
        Index(
            "uq_hotline_calls_agent_active",
            "agent_id",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
        Index("ix_hotline_calls_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_number: Mapped[str] = mapped_column(String(40))
    ivr_choice: Mapped[str | None] = mapped_column(String(40))
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    priority: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    callback: Mapped[bool] = mapped_column(default=False)
    callback_number: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    relax_level: Mapped[int] = mapped_column(default=0)
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class AgentPresence(Base):
    """An agent's routing state and counters (what longest-idle, fewest-calls … rank on)."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="offline")
    idle_since: Mapped[datetime] = mapped_column(default=utcnow)
    wrap_until: Mapped[datetime | None]
    calls_handled: Mapped[int] = mapped_column(default=0)
    talk_time_s: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoutingDecision(Base):
    """One assignment with its explanation: candidates considered (id + rank key) and the reason."""

    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("hotline_calls.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    wait_s: Mapped[float]
    strategy: Mapped[str] = mapped_column(String(40))
    requirement: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    relax_level: Mapped[int] = mapped_column(default=0)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
