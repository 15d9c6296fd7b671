"""Migration 0007 converts QA results stored in the old three-copies form into the typed record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from models import make_engine, make_session_factory
from models.base import UTCDateTime
from models.migrate import upgrade_database
from qa.analysis import analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from qa.service import load_analysis
from tests.qa.helpers import QA_NUMBERS, make_transcript


def _table(meta: sa.MetaData, name: str, **columns: Any) -> sa.Table:
    """Table `name` as it was at revision 0006 (only the columns this test writes, + `created_at`)."""
    return sa.Table(
        name, meta, *(sa.Column(n, t()) for n, t in columns.items()), sa.Column("created_at", UTCDateTime())
    )


def test_old_results_become_typed_records(tmp_path: Path) -> None:
    transcript = make_transcript(
        [
            ("agent", 0.5, 3.0, "Good morning, Acme, my name is Bob, how can I help you?"),
            ("caller", 3.5, 5.0, "This is awful, I am really angry."),
            ("agent", 6.0, 8.0, "Honestly that is your own fault."),
        ]
    )
    analysis = analyze_transcript(
        transcript,
        load_script(None, company="Acme"),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0006")
    engine = make_engine(url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    meta = sa.MetaData()
    text, flag = sa.String, sa.Boolean
    calls = _table(meta, "calls", id=sa.Integer, language=text, started_at=UTCDateTime, status=text)
    results = _table(
        meta,
        "qa_results",
        id=sa.Integer,
        call_id=sa.Integer,
        script_id=text,
        script_version=text,
        engine=text,
        greeting_passed=flag,
        closing_passed=flag,
        empathy=flag,
        caller_sentiment_end=text,
        details=sa.JSON,
    )
    with engine.begin() as conn:
        conn.execute(
            calls.insert().values(id=1, language="en", started_at=now, status="done", created_at=now)
        )
        conn.execute(
            results.insert().values(
                id=1,
                call_id=1,
                script_id="en-default",
                script_version="1",
                engine="test",
                greeting_passed=True,
                closing_passed=False,
                empathy=False,
                caller_sentiment_end="neg",
                details=analysis.to_contract_dict(),
                created_at=now,
            )
        )
    engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        stored = load_analysis(session, 1)
    engine.dispose()
    assert stored is not None
    assert {n: (c.passed, c.state) for n, c in stored.checks.items()} == {
        n: (c.passed, c.state) for n, c in analysis.checks.items()
    }
    assert [(v.category, v.state, v.matched_phrase) for v in stored.violations] == [
        (v.category, v.state, v.matched_phrase) for v in analysis.violations
    ]
    assert stored.violations, "the example must carry a violation"
    assert stored.sentiment["caller"].end == analysis.sentiment["caller"].end
    assert stored.talk.agent_talk_s == round(analysis.talk.agent_talk_s, 2)
