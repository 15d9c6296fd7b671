"""Persisting transcripts. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import TranscriptSegment
from transcription.recognizer import Segment, Transcript, Word


def store_transcript(session: Session, *, call_id: int, transcript: Transcript) -> list[TranscriptSegment]:
    """Replace the stored transcript of `call_id` with `transcript`."""
    session.execute(delete(TranscriptSegment).where(TranscriptSegment.call_id == call_id))
    rows = [
        TranscriptSegment(
            call_id=call_id,
            speaker=seg.speaker,
            start_s=seg.start,
            end_s=seg.end,
            text=seg.text,
            confidence=seg.confidence,
            words=[w.to_dict() for w in seg.words],
            engine=transcript.engine,
        )
        for seg in transcript.segments
    ]
    session.add_all(rows)
    session.flush()
    return rows


def load_transcript(session: Session, *, call_id: int, duration_s: float, language: str = "en") -> Transcript:
    """The stored transcript of `call_id` (for re-scoring without re-transcribing)."""
    rows = session.scalars(
        select(TranscriptSegment)
        .where(TranscriptSegment.call_id == call_id)
        .order_by(TranscriptSegment.start_s, TranscriptSegment.id)
    ).all()
    segments = tuple(
        Segment(
            speaker="agent" if row.speaker == "agent" else "caller",
            start=row.start_s,
            end=row.end_s,
            text=row.text,
            words=tuple(Word.from_dict(w) for w in row.words),
            confidence=row.confidence,
        )
        for row in rows
    )
    engine = rows[0].engine if rows else ""
    return Transcript(segments=segments, duration_s=duration_s, engine=engine, language=language)
