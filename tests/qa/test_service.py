"""Storing QA verdicts: the analysis record is stored once, whole, and read back equal."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from models import Call, QAResult
from qa.analysis import CallAnalysis, analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from qa.service import load_analysis, read_analysis, store_qa_result
from tests.qa.helpers import QA_NUMBERS, make_transcript
from transcription.recognizer import Transcript


def _call(session: Session) -> int:
    call = Call(status="done")
    session.add(call)
    session.flush()
    return call.id


def _analysis() -> CallAnalysis:
    clear = make_transcript([("agent", 1.0, 3.0, "Honestly that is your own fault.")])
    mumbled = make_transcript([("agent", 4.0, 6.0, "That is not my department.")], conf=0.3)
    transcript = Transcript((*clear.segments, *mumbled.segments), 7.0)
    return analyze_transcript(
        transcript,
        load_script(None),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


def test_the_stored_analysis_reads_back_equal_with_violation_state_and_source(session: Session) -> None:
    analysis = _analysis()
    call_id = _call(session)
    store_qa_result(session, call_id, analysis, script_id="en-default", script_version="1", engine="test")
    session.expire_all()
    stored = load_analysis(session, call_id)
    assert stored == analysis
    assert stored is not None
    assert [(v.category, v.source, v.state) for v in stored.violations] == [
        ("blame_customer", "phrase", "fail"),
        ("blame_shifting", "phrase", "uncertain"),
    ]


def test_storing_again_replaces_the_record(session: Session) -> None:
    call_id = _call(session)
    first = _analysis()
    store_qa_result(session, call_id, first, script_id="s", script_version="1", engine="e")
    second = CallAnalysis(**{**first.__dict__, "violations": []})
    store_qa_result(session, call_id, second, script_id="s", script_version="2", engine="e")
    assert session.query(QAResult).filter_by(call_id=call_id).count() == 1
    assert load_analysis(session, call_id) == second


def test_a_stored_record_that_does_not_fit_is_refused_on_reading(session: Session) -> None:
    call_id = _call(session)
    row = store_qa_result(session, call_id, _analysis(), script_id="s", script_version="1", engine="e")
    row.analysis = {**row.analysis, "violations": [{**row.analysis["violations"][0], "state": "maybe"}]}
    with pytest.raises(ValidationError, match="state"):
        read_analysis(row)
