"""Retention on SQLite and PostgreSQL: old calls lose recordings, transcripts and originals, old live alerts
go; scores stay."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.live_alerts import RaisedAlert, record_alerts
from callqa.services.processing import make_worker
from callqa.services.retention import purge_if_due, purge_older_than
from callqa.settings import Settings
from models import (
    AuditEvent,
    LiveAlert,
    PiiOriginal,
    Recording,
    TranscriptSegment,
    make_engine,
    make_session_factory,
    utcnow,
)
from models.migrate import upgrade_database
from qa.pii.service import store_original
from scoring.effective import load_effective_score
from tests.conftest import callqa_ok, create_agent, create_scored_call, run_callqa
from transcription.recognizer import Segment, Transcript, Word
from transcription.service import store_transcript

TRANSCRIPT = Transcript(
    (Segment("caller", 0.0, 1.0, "my card is [CARD]", (Word("my", 0.0, 0.2), Word("[CARD]", 0.3, 1.0))),), 1.0
)


def _call_with_data(session: Session, agent_id: int, folder: Path, days_ago: float) -> tuple[int, list[Path]]:
    call = create_scored_call(session, agent_id, {"greeting": True}, at=utcnow() - timedelta(days=days_ago))
    # both stored relative to the store's root (`folder`), the original in its originals folder
    stored = [f"{call.id}-redacted.wav", f"originals/{call.id}-original.wav"]
    files = [folder / s for s in stored]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"RIFF")
    call.recording = Recording(
        path=stored[0],
        format="wav",
        sample_rate=8000,
        channels=2,
        duration_s=1.0,
        size_bytes=4,
        sha256=f"{call.id:064x}",
    )
    store_transcript(session, call_id=call.id, transcript=TRANSCRIPT)
    store_original(session, call_id=call.id, transcript=TRANSCRIPT, recording_path=stored[1])
    session.flush()
    return call.id, files


def _alert(session: Session, agent_id: int, days_ago: float) -> int:
    """A live alert of `agent_id`'s, stored as the assistant stores it, raised `days_ago` days ago."""
    said = RaisedAlert(kind="forbidden", reason="rude", say="Apologise.", at_s=4.2, evidence="shut up")
    (row,) = record_alerts(session, call_key=f"pbx-{days_ago}", agent_id=agent_id, raised=[said])
    row.raised_at = utcnow() - timedelta(days=days_ago)
    session.flush()
    return row.id


def test_purge_removes_old_recordings_transcripts_and_originals_and_keeps_scores(
    session: Session, tmp_path: Path
) -> None:
    agent = create_agent(session)
    old, old_files = _call_with_data(session, agent.id, tmp_path, days_ago=40)
    new, new_files = _call_with_data(session, agent.id, tmp_path, days_ago=5)
    _alert(session, agent.id, days_ago=40)
    new_alert = _alert(session, agent.id, days_ago=5)
    report = purge_older_than(session, days=30, now=utcnow(), recordings_dir=tmp_path, username="admin")
    assert report.call_ids == (old,) and (report.recordings, report.segments, report.originals) == (1, 1, 1)
    assert report.alerts == 1 and list(session.scalars(select(LiveAlert.id))) == [new_alert]
    assert all(f.exists() for f in old_files)  # not before the purge commits
    session.commit()
    assert not any(f.exists() for f in old_files) and all(f.exists() for f in new_files)
    for table in (Recording, TranscriptSegment, PiiOriginal):
        assert set(session.scalars(select(table.call_id))) == {new}
    assert load_effective_score(session, old) is not None  # the score and so the aggregates survive
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    assert audit.username == "admin" and audit.detail["call_ids"] == [old]
    assert audit.detail["recordings"] == 1 and audit.detail["older_than_days"] == 30
    assert audit.detail["live_alerts"] == 1
    again = purge_older_than(session, days=30, now=utcnow(), recordings_dir=tmp_path)
    assert again.call_ids == () and again.alerts == 0  # nothing left to purge: nothing counted twice


def test_purge_refuses_a_negative_age(session: Session) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        purge_older_than(session, days=-1, now=utcnow(), recordings_dir=Path("."))


def test_callqa_purge_reports_and_audits(tmp_path: Path) -> None:
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path / "data")}
    callqa_ok("db", "upgrade", env=env)
    done = callqa_ok("purge", "--older-than", "30", env=env)
    assert "purged 0 call(s)" in done.stdout
    assert run_callqa("purge", "--older-than", "-1", env=env).returncode == 2
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'callqa.db'}")
    with Session(engine) as s:
        assert [e.action for e in s.scalars(select(AuditEvent))] == ["purge"]
    engine.dispose()


def test_purge_if_due_runs_once_a_day(session: Session) -> None:
    now = utcnow() + timedelta(days=10)  # after any purge another test made
    assert purge_if_due(session, days=30, now=now, recordings_dir=Path(".")) is not None
    assert purge_if_due(session, days=30, now=now + timedelta(hours=23), recordings_dir=Path(".")) is None
    assert purge_if_due(session, days=30, now=now + timedelta(hours=25), recordings_dir=Path(".")) is not None


def test_the_worker_purges_daily_when_retention_is_set(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", retention_days=30, second_opinion=False)
    settings.data_dir.mkdir()
    upgrade_database(settings.db_url)
    engine = make_engine(settings.db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        agent = create_agent(s)
        old, files = _call_with_data(s, agent.id, settings.recordings_dir, days_ago=45)
        _alert(s, agent.id, days_ago=45)
        kept = _alert(s, agent.id, days_ago=1)
        s.commit()
    worker = make_worker(settings, factory, analyzer=CallAnalyzer(settings))
    worker.housekeeping()
    worker.housekeeping()  # not due again: one purge a day, however often the timer fires
    with factory() as s:
        purges = s.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).all()
        assert [p.detail["call_ids"] for p in purges] == [[old]] and purges[0].username is None
        assert s.scalar(select(Recording)) is None
        assert list(s.scalars(select(LiveAlert.id))) == [kept] and purges[0].detail["live_alerts"] == 1
    assert not any(f.exists() for f in files)
    engine.dispose()
