"""Complaints stored per call: read once when a call is analysed (a real worker on real speech), counted by
the KPIs from the stored readings (no transcript is read then), and read for calls analysed before or with
cue lists edited since (`read_unread`, `callqa detect-complaints`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callqa.services import complaints
from callqa.services.complaints import complained_hotline_calls, read_unread
from callqa.services.demo import render_call
from callqa.services.ingest import CallOrigin, ingest_recording
from callqa.services.kpis import center_kpis
from callqa.services.processing import make_worker
from callqa.settings import Settings
from models import Call, ComplaintReading, HotlineCall, TranscriptSegment, make_engine, make_session_factory
from qa.complaint_store import read_unread_calls
from tests.conftest import create_agent


def _linked(session: Session, language: str, lines: list[tuple[str, str]]) -> tuple[int, int]:
    """A hotline call and its recorded call with transcript `lines`, analysed before readings were stored
    (no reading); returns (hotline call id, call id)."""
    hotline = HotlineCall(caller_number="+1 555 0500", skills={}, excluded=[], state="ended")
    session.add(hotline)
    session.flush()
    call = Call(hotline_call_id=hotline.id, language=language, status="scored")
    session.add(call)
    session.flush()
    for i, (speaker, text) in enumerate(lines):
        session.add(TranscriptSegment(call_id=call.id, speaker=speaker, start_s=i, end_s=i + 0.9, text=text))
    session.flush()
    return hotline.id, call.id


def test_calls_analysed_before_are_read_once_and_again_only_when_the_cues_change(session: Session) -> None:
    english, en_call = _linked(
        session, "en", [("agent", "how can I help"), ("caller", "I want to file a complaint")]
    )
    chinese, _ = _linked(session, "zh", [("agent", "您好"), ("caller", "我要投诉你们")])
    agent_only, _ = _linked(session, "en", [("agent", "you may file a complaint"), ("caller", "no thanks")])
    taken_back, _ = _linked(session, "zh", [("caller", "我不是要投诉，只是问问")])
    unrecorded, _ = _linked(session, "en", [])
    every = [english, chinese, agent_only, taken_back, unrecorded]
    assert complained_hotline_calls(session, every) == set()  # nothing read yet: the KPI reads no transcript
    last, read = read_unread(session)
    assert read == 4 and last is not None  # the call without a transcript is not read
    assert complained_hotline_calls(session, every) == {english, chinese}
    reading = session.get(ComplaintReading, en_call)
    assert reading is not None and reading.evidence[0]["text"].lower() == "complaint"
    assert read_unread(session, after_id=last) == (None, 0)  # done
    assert read_unread(session)[1] == 0  # nothing unread or stale
    # The stored readings are what counts: the transcripts are not read again.
    session.execute(delete(TranscriptSegment).where(TranscriptSegment.call_id == en_call))
    assert english in complained_hotline_calls(session, every)
    assert complained_hotline_calls(session, []) == set()


def test_a_reading_made_with_other_cues_is_read_again(session: Session) -> None:
    hotline_id, call_id = _linked(session, "en", [("caller", "I want to lodge a grievance")])
    read_unread(session)
    assert complained_hotline_calls(session, [hotline_id]) == set()
    english = complaints.complaint_cues("en")
    edited = replace(english, complaint=(*english.complaint, "grievance"))
    assert edited.version != english.version
    assert read_unread_calls(session, lambda _language: edited) == (call_id, 1)
    assert complained_hotline_calls(session, [hotline_id]) == {hotline_id}
    assert read_unread_calls(session, lambda _language: edited) == (call_id, 0)
    assert read_unread_calls(session, lambda _language: edited, everything=True) == (call_id, 1)


def test_the_worker_reads_the_complaint_once_when_it_analyses_the_call(tmp_path: Path) -> None:
    from models.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    wav = tmp_path / "call.wav"
    turns = [
        ["agent", "Thank you for calling Harbor Bank, this is Tom, how can I help?", 0.5],
        ["caller", "I want to make a complaint about the charges on my bill.", 0.6],
        ["agent", "I am sorry to hear that, I will log it now. Goodbye.", 0.6],
    ]
    render_call(turns, "en-us+m3", "en-gb+f2", wav)
    settings = Settings(
        data_dir=tmp_path, language="en", second_opinion=False, whisper_temperature_fallback=False
    )
    now = datetime.now(UTC)
    with factory() as s:
        agent = create_agent(s, "Tom Baker")
        routed = HotlineCall(
            caller_number="+44 20 7946 0002",
            pbx_call_id="pbx-complaint-1",
            agent_id=agent.id,
            state="ended",
            arrived_at=now - timedelta(minutes=5),
            answered_at=now - timedelta(minutes=4),
            ended_at=now - timedelta(minutes=1),
        )
        s.add(routed)
        s.flush()
        call = ingest_recording(
            s,
            source=wav,
            recordings_dir=settings.recordings_dir,
            agent_id=agent.id,
            origin=CallOrigin(pbx_call_id="pbx-complaint-1"),
        )
        s.commit()
        hotline_id, call_id = routed.id, call.id
    assert make_worker(settings, factory).run_once()
    with factory() as s:
        reading = s.get(ComplaintReading, call_id)
        assert reading is not None and reading.complained, reading.evidence if reading else None
        assert reading.cues_version == complaints.complaint_cues("en").version
        s.execute(delete(TranscriptSegment))  # the KPI counts the stored reading, not the transcript
        kpis = center_kpis(
            s, settings, since=now - timedelta(days=1), until=now + timedelta(days=1), now=now, sl_target_s=20
        )
        assert (kpis.complaints, kpis.complaints_detected, kpis.answered) == (1, 1, 1)
        assert s.scalar(select(Call.hotline_call_id).where(Call.id == call_id)) == hotline_id
