"""Personal data kept apart: unredacted originals of calls (only under the policy that keeps them) and the
audit log of who read them and what retention removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PiiOriginal(Base):
    """The call as said, before redaction: `transcript` in `Transcript.to_json` form and the path of the
    unredacted recording (server-chosen, relative to the recording store's root like `recordings.path`:
    `originals/YYYY/MM/DD/<hex>.wav`; rows from before hold absolute paths, read as they are). Admins
    only; every read is audited (`AuditEvent`)."""

    __tablename__ = "pii_originals"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    transcript: Mapped[dict[str, Any]] = mapped_column(JSON)
    recording_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Something done to personal data: `action` (e.g. ``original.transcript.read``, ``purge``), by whom
    (`user_id` and `username` as it was then; none for the system), on which call, with `detail`.
    Kept when the user or the call goes: an audit outlives what it is about."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_call_at", "call_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None]
    username: Mapped[str | None] = mapped_column(String(80))
    call_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
