"""Complaints the callers said, read from the stored transcripts of the recordings linked to hotline calls
(`qa.complaints`), for the complaint-rate KPI (`routing.kpis.compute_kpis(detect_complaints=...)`)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, TranscriptSegment
from qa.complaints import ComplaintCues, find_complaints, load_complaint_cues
from transcription.recognizer import Segment


@cache
def _cues(language: str) -> ComplaintCues:
    return load_complaint_cues(language=language)


def transcript_complaints(session: Session, hotline_call_ids: list[int]) -> set[int]:
    """Which of `hotline_call_ids` have a linked recording in whose transcript the caller complained
    (cues of the recording's language)."""
    if not hotline_call_ids:
        return set()
    rows = session.execute(
        select(Call.hotline_call_id, Call.language, TranscriptSegment)
        .join(TranscriptSegment, TranscriptSegment.call_id == Call.id)
        .where(Call.hotline_call_id.in_(hotline_call_ids), TranscriptSegment.speaker == "caller")
        .order_by(TranscriptSegment.call_id, TranscriptSegment.start_s)
    ).all()
    by_call: dict[tuple[int, str], list[Segment]] = {}
    for hotline_call_id, language, seg in rows:
        if hotline_call_id is not None:  # always, by the query's filter
            segment = Segment("caller", seg.start_s, seg.end_s, seg.text, confidence=seg.confidence)
            by_call.setdefault((hotline_call_id, language), []).append(segment)
    return {
        call for (call, language), segments in by_call.items() if find_complaints(segments, _cues(language))
    }
