"""Persisting personal data kept apart (originals) and the audit of every touch. Functions flush; the
caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import AuditEvent, PiiOriginal, utcnow
from transcription.recognizer import Transcript


def store_original(
    session: Session, *, call_id: int, transcript: Transcript, recording_path: str | None
) -> PiiOriginal:
    """Keep (or replace) the unredacted transcript and recording path of `call_id`."""
    session.execute(delete(PiiOriginal).where(PiiOriginal.call_id == call_id))
    row = PiiOriginal(call_id=call_id, transcript=transcript.to_json(), recording_path=recording_path)
    session.add(row)
    session.flush()
    return row


def find_original(session: Session, call_id: int) -> PiiOriginal | None:
    """The kept original of `call_id`, if the policy kept one. Reading it is an audited act: callers
    record an `AuditEvent` (see `record_audit`) in the same transaction."""
    return session.scalar(select(PiiOriginal).where(PiiOriginal.call_id == call_id))


def record_audit(
    session: Session,
    *,
    action: str,
    user_id: int | None = None,
    username: str | None = None,
    call_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit record (never changed or deleted by the application), at `at` (default: now)."""
    event = AuditEvent(
        action=action,
        user_id=user_id,
        username=username,
        call_id=call_id,
        detail=detail or {},
        at=at or utcnow(),
    )
    session.add(event)
    session.flush()
    return event
