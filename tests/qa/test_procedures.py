"""The procedures a script prescribes for a situation, checked only when it arises: the silent caller
(prompt, repeat, polite close) and the noisy line (tell the caller, close politely if ending on it), in the
Chinese and the English script."""

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


def analyze(
    turns: list[Turn],
    activity: Activity | None = None,
    *,
    language: str = "zh",
    caller_snr_db: float | None = None,
) -> CallAnalysis:
    company = "星海电信" if language == "zh" else "Northwind"
    return analyze_transcript(
        make_transcript(turns, duration_s=32.0),
        load_script(None, company=company, language=language),
        load_forbidden_phrases(None, language),
        load_empathy_phrases(None, language),
        sentiment_model=VaderSentiment(),
        activity=activity,
        caller_snr_db=caller_snr_db,
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


EN_GREETING: Turn = ("agent", 0.5, 4.0, "Thank you for calling Northwind, this is Alice, how can I help you?")


def test_the_english_script_has_the_silent_caller_procedure() -> None:
    turns = [
        EN_GREETING,
        ("agent", 13.0, 15.0, "Hello, can you hear me?"),
        ("agent", 20.0, 22.0, "Hello, are you still there?"),
        ("agent", 27.0, 31.0, "I'm sorry, I cannot hear you, please call us again. Goodbye."),
    ]
    assert analyze(turns, language="en").checks["silent_caller"].state == "pass"
    hung_up = analyze(turns[:2], language="en")
    assert hung_up.checks["silent_caller"].missing == ["repeat", "polite_close"]
    assert score_call(hung_up, load_scorecard(None, "en")).verdicts()["silent_caller"] is False


NOISY_CALLER: Turn = ("caller", 4.5, 7.0, "my internet is down")
TOLD: Turn = ("agent", 8.0, 10.0, "Sorry, the line is very bad, could you speak up please?")
LATER: Turn = ("agent", 14.0, 16.0, "Thanks, I have your account here.")


def test_a_clear_or_unmeasured_line_has_no_noisy_line_check() -> None:
    for snr in (None, 12.0, 25.0):
        a = analyze([EN_GREETING, NOISY_CALLER], language="en", caller_snr_db=snr)
        assert "noisy_line" not in a.checks
        assert score_call(a, load_scorecard(None, "en")).verdicts()["noisy_line"] is None


def test_on_a_noisy_line_the_agent_tells_the_caller() -> None:
    a = analyze([EN_GREETING, NOISY_CALLER, TOLD, LATER], language="en", caller_snr_db=6.0)
    check = a.checks["noisy_line"]
    assert check.state == "pass" and [e.name for e in check.elements] == ["told_caller"]
    assert "6.0 dB" in check.reason
    # ending the call on the bad line needs a polite close in the same turn
    curt = analyze(
        [EN_GREETING, NOISY_CALLER, ("agent", 8.0, 10.0, "The line is bad.")],
        language="en",
        caller_snr_db=6.0,
    )
    assert curt.checks["noisy_line"].missing == ["polite_close"]
    polite: Turn = ("agent", 8.0, 12.0, "The line is bad, please call back on a better line. Goodbye.")
    assert (
        analyze([EN_GREETING, NOISY_CALLER, polite], language="en", caller_snr_db=6.0)
        .checks["noisy_line"]
        .passed
    )


def test_saying_nothing_about_the_line_is_an_uncertain_fail() -> None:
    a = analyze(
        [EN_GREETING, NOISY_CALLER, ("agent", 8.0, 10.0, "Let me check that.")],
        language="en",
        caller_snr_db=6.0,
    )
    check = a.checks["noisy_line"]
    assert check.state == "uncertain" and not check.passed and check.missing == ["told_caller"]
    zh = analyze(
        [
            GREETING,
            ("caller", 4.5, 7.0, "我的宽带断了。"),
            ("agent", 8.0, 10.0, "对不起，电话有杂音，请您大声一点。"),
            ("caller", 11.0, 13.0, "宽带断了。"),
            ("agent", 14.0, 16.0, "好的，我帮您查一下。"),
        ],
        caller_snr_db=5.0,
    )
    assert zh.checks["noisy_line"].state == "pass"


def test_a_noisy_line_with_a_caller_who_said_nothing_is_the_silent_callers_case() -> None:
    assert "noisy_line" not in analyze([EN_GREETING], language="en", caller_snr_db=5.0).checks
