"""Complaint readings in the database: complaint detection (`qa.complaints`) run once on a call's transcript
when it is analysed, its result stored per call (`models.ComplaintReading`), and the complaint-rate KPI's
question "which of these hotline calls had a caller who complained?" answered from those rows.

Functions take a `Session`, flush and never commit (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, ComplaintReading, TranscriptSegment, utcnow
from qa.complaints import ComplaintCues, find_complaints
from transcription.recognizer import Segment


def store_complaint_reading(
    session: Session,
    call_id: int,
    segments: list[Segment],
    cues: ComplaintCues,
    *,
    now: datetime | None = None,
) -> ComplaintReading:
    """Read the caller's `segments` of call `call_id` for complaints with `cues` and store (or replace) the
    reading, with the matched words as evidence."""
    found = find_complaints(segments, cues)
    reading = session.get(ComplaintReading, call_id)
    if reading is None:
        reading = ComplaintReading(call_id=call_id)
        session.add(reading)
    reading.complained = bool(found)
    reading.evidence = [m.to_dict() for m in found]
    reading.cues_version, reading.read_at = cues.version, now or utcnow()
    session.flush()
    return reading


def complained_hotline_calls(session: Session, hotline_call_ids: list[int]) -> set[int]:
    """Which of `hotline_call_ids` have a linked recording whose stored reading says the caller complained."""
    if not hotline_call_ids:
        return set()
    query = (
        select(Call.hotline_call_id)
        .join(ComplaintReading, ComplaintReading.call_id == Call.id)
        .where(Call.hotline_call_id.in_(hotline_call_ids), ComplaintReading.complained)
    )
    return {i for i in session.scalars(query) if i is not None}


def read_unread_calls(
    session: Session,
    cues_for: Callable[[str], ComplaintCues],
    *,
    everything: bool = False,
    after_id: int = 0,
    batch: int = 500,
) -> tuple[int | None, int]:
    """Read the transcribed calls after call id `after_id` (at most `batch` of them, in id order) that have
    no reading, or one made with other cues than `cues_for(the call's language)` gives now (every one with
    `everything`). Returns the last call id looked at (None when there were none: done) and how many were
    read; commit, then go on from that id."""
    transcribed = select(TranscriptSegment.call_id).distinct()
    query = (
        select(Call.id, Call.language, ComplaintReading.cues_version)
        .outerjoin(ComplaintReading, ComplaintReading.call_id == Call.id)
        .where(Call.id > after_id, Call.id.in_(transcribed))
        .order_by(Call.id)
        .limit(batch)
    )
    rows = session.execute(query).all()
    read = 0
    for call_id, language, version in rows:
        cues = cues_for(language)
        if everything or version != cues.version:
            store_complaint_reading(session, call_id, caller_segments(session, call_id), cues)
            read += 1
    return (rows[-1][0] if rows else None), read


def caller_segments(session: Session, call_id: int) -> list[Segment]:
    """The caller's stored transcript segments of call `call_id`, in time order."""
    rows = session.scalars(
        select(TranscriptSegment)
        .where(TranscriptSegment.call_id == call_id, TranscriptSegment.speaker == "caller")
        .order_by(TranscriptSegment.start_s)
    )
    return [Segment("caller", r.start_s, r.end_s, r.text, confidence=r.confidence) for r in rows]
