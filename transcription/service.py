"""Persisting transcripts. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import TranscriptSegment
from transcription.recognizer import Transcript


def store_transcript(session: Session, *, call_id: int, transcript: Transcript) -> list[TranscriptSegment]:
    """Replace the stored transcript of `call_id` with `transcript`: one row per segment, holding the
    segment's `Transcript.to_json` form (words and n-best alternatives included)."""
    session.execute(delete(TranscriptSegment).where(TranscriptSegment.call_id == call_id))
    data = transcript.to_json()
    rows = [
        TranscriptSegment(
            call_id=call_id,
            speaker=seg["speaker"],
            start_s=seg["start"],
            end_s=seg["end"],
            text=seg["text"],
            confidence=seg["confidence"],
            words=seg["words"],
            alternatives=seg["alternatives"],
            engine=data["engine"],
        )
        for seg in data["segments"]
    ]
    session.add_all(rows)
    session.flush()
    return rows


def load_transcript(session: Session, *, call_id: int, duration_s: float, language: str = "en") -> Transcript:
    """The stored transcript of `call_id` (for re-scoring without re-transcribing), read back through
    `Transcript.from_json`."""
    rows = session.scalars(
        select(TranscriptSegment)
        .where(TranscriptSegment.call_id == call_id)
        .order_by(TranscriptSegment.start_s, TranscriptSegment.id)
    ).all()
    segments = [
        {
            "speaker": row.speaker,
            "start": row.start_s,
            "end": row.end_s,
            "text": row.text,
            "words": row.words,
            "confidence": row.confidence,
            "alternatives": row.alternatives,
        }
        for row in rows
    ]
    engine = rows[0].engine if rows else ""
    return Transcript.from_json(
        {"segments": segments, "duration_s": duration_s, "engine": engine, "language": language}
    )
