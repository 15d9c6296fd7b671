"""The silent-caller procedure (prompt, repeat, polite close), checked only when the caller is silent."""

from __future__ import annotations

from qa.analysis import CallAnalysis, analyze_transcript
from qa.metrics import Activity
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from scoring.scorecard import load_scorecard, score_call
from tests.qa.helpers import QA_NUMBERS, Turn, make_transcript

GREETING: Turn = ("agent", 0.5, 4.0, "您好，星海电信，1024号为您服务。")
PROMPT: Turn = ("agent", 13.0, 15.0, "喂，您好，请问能听到吗？")
REPEAT: Turn = ("agent", 20.0, 22.0, "请问您能听到我说话吗？")
CLOSE: Turn = ("agent", 27.0, 31.0, "对不起，听不到您的声音，请您稍后再拨，再见。")


def analyze(turns: list[Turn], activity: Activity | None = None) -> CallAnalysis:
    return analyze_transcript(
        make_transcript(turns, duration_s=32.0),
        load_script(None, company="星海电信", language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        activity=activity,
        **QA_NUMBERS,
    )


def test_prompt_repeat_and_a_polite_close_pass() -> None:
    check = analyze([GREETING, PROMPT, REPEAT, CLOSE]).checks["silent_caller"]
    assert check.state == "pass" and [e.name for e in check.elements] == ["prompt", "repeat", "polite_close"]


def test_hanging_up_after_one_prompt_fails_and_costs_points() -> None:
    a = analyze([GREETING, PROMPT])
    assert a.checks["silent_caller"].state == "fail"
    assert a.checks["silent_caller"].missing == ["repeat", "polite_close"]
    assert score_call(a, load_scorecard(None, "zh")).verdicts()["silent_caller"] is False


def test_a_caller_who_answers_the_first_prompt_needs_no_more() -> None:
    a = analyze([GREETING, PROMPT, ("caller", 16.0, 18.0, "能听到，我的宽带断了。")])
    assert a.checks["silent_caller"].state == "pass"
    assert [e.name for e in a.checks["silent_caller"].elements] == ["prompt", "repeat"]


def test_no_silent_caller_no_check_and_not_applicable() -> None:
    a = analyze([GREETING, ("caller", 4.5, 7.0, "我的宽带断了。"), PROMPT])
    assert "silent_caller" not in a.checks
    assert score_call(a, load_scorecard(None, "zh")).verdicts()["silent_caller"] is None


def test_sound_on_the_callers_leg_without_words_makes_it_uncertain() -> None:
    a = analyze([GREETING, PROMPT], activity={"caller": [(6.0, 9.0)], "agent": []})
    assert a.checks["silent_caller"].state == "uncertain" and not a.checks["silent_caller"].passed
