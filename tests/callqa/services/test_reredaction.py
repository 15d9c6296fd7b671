"""`callqa redact --since`: a call stored when the redactor missed a card number (here: stored with the
policy off) loses it from its transcript, recording, verdict evidence and complaint evidence, and a live
alert raised since loses it from its evidence; the run is audited, leaves older calls and alerts alone, and
a second run changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from callqa.services.complaints import read_complaints
from callqa.services.ingest import ingest_recording
from callqa.services.live_alerts import RaisedAlert, record_alerts
from models import (
    AuditEvent,
    Call,
    ComplaintReading,
    LiveAlert,
    QAResult,
    TranscriptSegment,
    make_engine,
    make_session_factory,
)
from qa.service import store_qa_result
from tests.conftest import callqa_ok, fresh_database, make_analysis, write_tone_call
from tests.live import seed_database, server_env
from transcription.recognizer import Segment, Transcript, Word
from transcription.service import store_transcript

CARD = ["4532", "0151", "1283", "0366"]
SAID = ["i", "want", "to", "complain", "my", "card", "is", *CARD, "thanks"]


def _said(start_s: float) -> Segment:
    words = tuple(Word(w, start_s + 0.3 * i, start_s + 0.3 * i + 0.25) for i, w in enumerate(SAID))
    return Segment("caller", words[0].start, words[-1].end, " ".join(SAID), words)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_redact_since_redacts_what_was_missed_once_and_only_since(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path)
    agent_id = seed_database(url)
    env = server_env(tmp_path / "data", database_url=url, pii_policy="redacted")
    recordings = tmp_path / "data" / "recordings"
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ids = []
    with factory() as s:
        for i, started in enumerate((datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))):
            source = write_tone_call(tmp_path / f"call{i}.wav", seconds=6.0, hz=440.0 + 10 * i)
            call = ingest_recording(s, source=source, recordings_dir=recordings, agent_id=agent_id)
            call.started_at = started
            transcript = Transcript((_said(1.0),), duration_s=6.0, engine="test")
            store_transcript(s, call_id=call.id, transcript=transcript)
            analysis = make_analysis({"greeting": "pass"}, violations=[("rude", "uncertain")])
            quoted = replace(analysis.violations[0], text=" ".join(SAID[4:]))
            analysis = replace(analysis, violations=[quoted])
            store_qa_result(s, call.id, analysis, script_id="en-default", script_version="1", engine="test")
            assert read_complaints(s, call, transcript).complained
            ids.append(call.id)
            upset = RaisedAlert("empathy", "caller upset", "I'm sorry.", 3.0, " ".join(SAID), "caller")
            (alert,) = record_alerts(s, call_key=f"live-{i}", agent_id=agent_id, raised=[upset])
            alert.raised_at = started
        s.commit()
    newer, older = ids

    def evidence(call_key: str) -> str:
        with factory() as s:
            return s.scalars(select(LiveAlert.evidence).where(LiveAlert.call_key == call_key)).one()

    def stored(call_id: int) -> str:
        """Everything stored about the call's words, as one text."""
        with factory() as s:
            texts = [
                r.text + json.dumps(r.words)
                for r in s.scalars(select(TranscriptSegment).where(TranscriptSegment.call_id == call_id))
            ]
            qa = s.scalar(select(QAResult).where(QAResult.call_id == call_id))
            complaint = s.get(ComplaintReading, call_id)
            assert qa is not None and complaint is not None
            return " ".join([*texts, json.dumps(qa.analysis), json.dumps(complaint.evidence)])

    def recording(call_id: int) -> np.ndarray:
        with factory() as s:
            call = s.get(Call, call_id)
            assert call is not None and call.recording is not None
            data, _ = sf.read(recordings / call.recording.path, always_2d=True)
            return np.asarray(data)

    assert all(n in stored(newer) for n in CARD)
    done = callqa_ok("redact", "--since", "2026-11-01", env=env, timeout=300)
    said = " ".join(done.stdout.split())  # the console wraps long lines
    assert "1 of 1 call(s)" in said and "1 recording(s) silenced" in said, said
    assert "1 live alert(s)' evidence redacted" in said, said
    assert evidence("live-0") == "i want to complain my card is [CARD] thanks"
    assert evidence("live-1") == " ".join(SAID)  # raised before --since: untouched
    after = stored(newer)
    assert not any(n in after for n in CARD) and "[CARD]" in after, after
    assert "complain" in after  # only the personal data goes
    caller = recording(newer)[:, 1]
    assert np.abs(caller[int(3.15 * 8000) : int(4.2 * 8000)]).max() == 0  # the digits' stretch is silent
    assert np.abs(caller[: int(0.8 * 8000)]).max() > 0.1  # the rest of the call is still there
    assert all(n in stored(older) for n in CARD)  # started before --since: untouched
    with factory() as s:
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action == "pii.redact_again")).all()
        assert [a.call_id for a in audits] == [newer] and "4532" not in json.dumps(audits[0].detail)
        alerts = s.scalars(select(AuditEvent).where(AuditEvent.action == "pii.redact_live_alerts")).all()
        assert [a.detail["alerts"] for a in alerts] == [1]

    again = callqa_ok("redact", "--since", "2026-11-01", env=env, timeout=300)
    assert "redacted 0 new span(s) in 0 of 1 call(s)" in " ".join(again.stdout.split()), again.stdout
    assert "0 live alert(s)' evidence redacted" in " ".join(again.stdout.split()), again.stdout
    assert stored(newer) == after
    engine.dispose()
