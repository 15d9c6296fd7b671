"""What a live call stores: its alerts' evidence leaves the server redacted, as the call's stored transcript
would be (the live stream itself is the supervisor's to hear, and is never stored)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from sqlalchemy import select

from api.live import LiveHub, LiveSession
from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.live import LiveCall
from callqa.services.live_alerts import RaisedAlert
from callqa.settings import Settings
from models import LiveAlert, make_engine, make_session_factory
from qa.assist import Assistant
from tests.live import seed_database

UPSET = "this is a joke my card is 4532 0151 1283 0366 and you charged it twice"


def test_stored_alert_evidence_is_redacted_and_clock_alerts_keep_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    agent_id = seed_database(url)
    settings = Settings(data_dir=tmp_path, database_url=url, pii_policy="redacted")
    engine = make_engine(url)
    hub = LiveHub(settings, make_session_factory(engine))
    # Only the call's redactor is used when alerts are stored; the assistant and streams are not.
    call = LiveCall(cast(Assistant, None), {}, 8000, personal_data=CallAnalyzer(settings).find_personal_data)
    session = LiveSession(key="evidence-1", agent_id=agent_id, call=call, started=0.0)
    raised = [
        RaisedAlert("empathy", "caller upset", "I'm sorry about that.", 12.0, UPSET, "caller"),
        RaisedAlert("greeting", "missing company", "Say the company.", 20.0, "", None),
    ]
    sent = hub._store_alerts(session, raised)
    redacted = "this is a joke my card is [CARD] and you charged it twice"
    assert [a["evidence"] for a in sent] == [redacted, ""]
    with make_session_factory(engine)() as s:
        assert list(s.scalars(select(LiveAlert.evidence).order_by(LiveAlert.id))) == [redacted, ""]
    hub.executor.shutdown()
    engine.dispose()
