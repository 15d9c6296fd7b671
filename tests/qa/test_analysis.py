"""Whole-call analysis: no speech from the agent means nothing is judged with certainty."""

from __future__ import annotations

from qa.analysis import NO_SPEECH_REASON, CallAnalysis, analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from tests.qa.helpers import QA_NUMBERS, Turn, make_transcript


def _analyze(turns: list[Turn]) -> CallAnalysis:
    return analyze_transcript(
        make_transcript(turns, duration_s=30.0),
        load_script(None, company="Northwind Energy"),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


def test_no_agent_speech_is_status_no_speech_with_every_check_uncertain() -> None:
    no_agent: list[list[Turn]] = [[], [("caller", 1.0, 3.0, "Hello? Is anybody there?")]]
    for turns in no_agent:
        analysis = _analyze(turns)
        assert analysis.status == "no_speech"
        assert all(c.state == "uncertain" and c.reason == NO_SPEECH_REASON for c in analysis.checks.values())
        assert analysis.to_contract_dict()["status"] == "no_speech"
        assert CallAnalysis.from_json(analysis.to_json()).status == "no_speech"


def test_a_call_with_agent_speech_is_ok() -> None:
    analysis = _analyze([("agent", 0.5, 3.0, "Hello, Northwind Energy, Dana speaking.")])
    assert analysis.status == "ok" and analysis.checks["greeting"].state == "pass"
