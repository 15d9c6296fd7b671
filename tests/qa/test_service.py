"""Storing QA verdicts: violations keep how they were found and whether a person must confirm them."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Call, QAViolation
from qa.analysis import analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from qa.service import store_qa_result
from tests.qa.helpers import make_transcript
from transcription.recognizer import Transcript


def _call(session: Session) -> int:
    call = Call(status="done")
    session.add(call)
    session.flush()
    return call.id


def test_violation_state_and_source_are_stored(session: Session) -> None:
    clear = make_transcript([("agent", 1.0, 3.0, "Honestly that is your own fault.")])
    mumbled = make_transcript([("agent", 4.0, 6.0, "That is not my department.")], conf=0.3)
    transcript = Transcript((*clear.segments, *mumbled.segments), 7.0)
    analysis = analyze_transcript(
        transcript,
        load_script(None),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
    )
    result = store_qa_result(
        session,
        call_id=_call(session),
        verdicts=analysis.to_contract_dict(),
        script_id="en-default",
        script_version="1",
        engine="test",
    )
    session.expire(result)
    stored = [(v.category, v.source, v.state) for v in result.violations]
    assert stored == [("blame_customer", "phrase", "fail"), ("blame_shifting", "phrase", "uncertain")]


def test_unknown_violation_state_is_refused(session: Session) -> None:
    verdicts = {
        "checks": {"greeting": {"passed": True}, "closing": {"passed": True}},
        "violations": [{"category": "rude", "start": 1.0, "text": "calm down", "state": "maybe"}],
    }
    with pytest.raises(IntegrityError), session.begin_nested():
        store_qa_result(
            session, call_id=_call(session), verdicts=verdicts, script_id="s", script_version="1", engine="e"
        )
    assert session.query(QAViolation).count() == 0
