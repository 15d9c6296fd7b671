"""A reading too poor to judge (another language, or the hinted names) makes a FAIL UNCERTAIN."""

from __future__ import annotations

from qa.analysis import CallAnalysis, analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from tests.qa.helpers import QA_NUMBERS, Turn, make_transcript


def analyze(turns: list[Turn]) -> CallAnalysis:
    return analyze_transcript(
        make_transcript(turns),
        load_script(None, company="星海电信", language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


def test_a_chinese_call_read_as_english_words_fails_nothing_for_certain() -> None:
    a = analyze(
        [("agent", 0.5, 6.0, "King 3 Ken 4 K 2 G un free me for into that I'm ready to die 上 说 林")]
    )
    assert {c.state for c in a.checks.values()} == {"uncertain"}
    assert "another language" in a.checks["closing"].reason


def test_a_reading_of_only_the_hinted_company_fails_nothing_for_certain() -> None:
    a = analyze([("agent", 0.5, 6.0, "星海电信 星海电信 星海电信。"), ("agent", 9.0, 12.0, "星海电信。")])
    assert a.checks["closing"].state == "uncertain" and "hinted" in a.checks["closing"].reason


def test_a_clear_chinese_reading_still_fails_for_certain() -> None:
    a = analyze([("agent", 0.5, 4.0, "星海电信，请讲。"), ("agent", 9.0, 12.0, "你的宽带我已经帮你报修了。")])
    assert a.checks["closing"].state == "fail"
