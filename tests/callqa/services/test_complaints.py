"""Complaints read from stored transcripts of recordings linked to hotline calls, in the call's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from callqa.services.complaints import transcript_complaints
from models import Call, HotlineCall, TranscriptSegment


def _linked(session: Session, language: str, lines: list[tuple[str, str]]) -> int:
    hotline = HotlineCall(caller_number="+1 555 0500", skills={}, excluded=[], state="ended")
    session.add(hotline)
    session.flush()
    call = Call(hotline_call_id=hotline.id, language=language, status="scored")
    session.add(call)
    session.flush()
    for i, (speaker, text) in enumerate(lines):
        session.add(TranscriptSegment(call_id=call.id, speaker=speaker, start_s=i, end_s=i + 0.9, text=text))
    session.flush()
    return hotline.id


def test_the_callers_complaint_in_either_language_is_found(session: Session) -> None:
    english = _linked(session, "en", [("agent", "how can I help"), ("caller", "I want to file a complaint")])
    chinese = _linked(session, "zh", [("agent", "您好"), ("caller", "我要投诉你们")])
    agent_only = _linked(session, "en", [("agent", "you may file a complaint"), ("caller", "no thanks")])
    taken_back = _linked(session, "zh", [("caller", "我不是要投诉，只是问问")])
    unrecorded = _linked(session, "en", [])
    found = transcript_complaints(session, [english, chinese, agent_only, taken_back, unrecorded])
    assert found == {english, chinese}
    assert transcript_complaints(session, []) == set()
