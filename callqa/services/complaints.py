"""Complaints per call for the complaint-rate KPI: read once when a call is analysed (`read_complaints`, from
the processing jobs) with the cue lists of the call's language, stored (`qa.complaint_store`), and counted
from the stored readings (`complained_hotline_calls`, passed to `routing.kpis.compute_kpis`). Calls analysed
before readings were stored, or read with cue lists since edited, are read by `read_unread`
(`callqa detect-complaints`)."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session

from models import Call, ComplaintReading
from qa.complaint_store import complained_hotline_calls, read_unread_calls, store_complaint_reading
from qa.complaints import ComplaintCues, load_complaint_cues
from transcription.recognizer import Transcript

__all__ = ["complained_hotline_calls", "complaint_cues", "read_complaints", "read_unread"]


@cache
def complaint_cues(language: str) -> ComplaintCues:
    """The packaged complaint cues of `language` (English when it has none), loaded once per process."""
    return load_complaint_cues(language=language)


def read_complaints(session: Session, call: Call, transcript: Transcript) -> ComplaintReading:
    """Store whether the caller complained in `transcript` of `call` (replacing an earlier reading)."""
    return store_complaint_reading(session, call.id, list(transcript.segments), complaint_cues(call.language))


def read_unread(session: Session, *, everything: bool = False, after_id: int = 0) -> tuple[int | None, int]:
    """One batch of `qa.complaint_store.read_unread_calls` with the packaged cues: (last call id looked at,
    None when done; how many were read)."""
    return read_unread_calls(session, complaint_cues, everything=everything, after_id=after_id)
