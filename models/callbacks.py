"""Callbacks: a customer to be called back by a due time, who works it, and every attempt's outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

CALLBACK_STATUSES = ("open", "done")
CALLBACK_OUTCOMES = ("reached", "no_answer", "closed")
"""An attempt's outcome. `reached` ends the callback; `no_answer` leaves it open (until the attempts run
out); `closed` ends it without reaching the customer (settled otherwise, wrong number)."""


class Callback(Base):
    """A promised call back to `number` by `due_at` (UTC). `agent_id`: who works it (None: anyone);
    `hotline_call_id`: the hotline call it was requested on (None: recorded otherwise); `offers`: the
    hotline calls through which the hotline offered it to agents; `outcome`: how it ended (None while
    open)."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    note: Mapped[str | None] = mapped_column(Text)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    hotline_call_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_calls.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(String(12))
    closed_at: Mapped[datetime | None]

    attempts: Mapped[list[CallbackAttempt]] = relationship(
        back_populates="callback", cascade="all, delete-orphan", order_by="CallbackAttempt.id"
    )
    offers: Mapped[list[CallbackOffer]] = relationship(
        back_populates="callback", cascade="all, delete-orphan", order_by="CallbackOffer.id"
    )


class CallbackAttempt(Base):
    """One try at a callback: when, by whom, and its outcome (one of CALLBACK_OUTCOMES)."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    callback: Mapped[Callback] = relationship(back_populates="attempts")


class CallbackOffer(Base):
    """The hotline offered a callback to agents as hotline call `hotline_call_id` (an outbound task, not
    a caller: left out of the queue KPIs)."""

    __tablename__ = "callback_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    hotline_call_id: Mapped[int] = mapped_column(
        ForeignKey("hotline_calls.id", ondelete="CASCADE"), unique=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)

    callback: Mapped[Callback] = relationship(back_populates="offers")
