"""Canonical spelling: traditional/simplified, full/half width and Chinese numerals never decide a verdict."""

from __future__ import annotations

import pytest

from qa.analysis import analyze_transcript
from qa.matching import normalize
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from qa.text import canonical
from tests.qa.helpers import QA_NUMBERS, Turn, make_transcript


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12號為您服務", "12号为您服务"),
        ("感謝您的來電,再見", "感谢您的来电,再见"),
        ("１０２４号为您服务", "1024号为您服务"),
        ("十二号为您服务", "12号为您服务"),
        ("幺零二四號", "1024号"),
        ("一千零二十四号", "1024号"),
        ("工号一二，请讲", "工号12,请讲"),
        ("我的手机号是幺三八零零一三八零零零", "我的手机号是13800138000"),
        # Single numerals are words, not numbers: they stay.
        ("请您稍等一下", "请您稍等一下"),
        ("十分抱歉", "十分抱歉"),
        ("万一有问题", "万一有问题"),
        ("Good morning, Acme", "Good morning, Acme"),
        ("ＡＣＭＥ，ｈｉ", "ACME,hi"),
    ],
)
def test_canonical_spelling(written: str, expected: str) -> None:
    assert canonical(written) == expected


def test_tokens_are_the_same_whatever_the_spelling() -> None:
    assert normalize("您好，星海電信，十二號為您服務。") == normalize("您好,星海电信,12号为您服务.")
    assert normalize("I'm here") == ["i", "am", "here"]


def _analyze(turns: list[Turn]):  # type: ignore[no-untyped-def]
    return analyze_transcript(
        make_transcript(turns),
        load_script(None, company="XX中心", language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


TRADITIONAL: list[Turn] = [
    ("agent", 0.5, 4.0, "您好,XX中心,12號為您服務"),
    ("caller", 4.5, 8.0, "我的寬帶斷了。"),
    ("agent", 9.0, 12.0, "請您提供一下手機號碼。"),
    ("agent", 20.0, 24.0, "請問還有什麼可以幫您？"),
    ("caller", 25.0, 26.0, "沒有了。"),
    ("agent", 27.0, 30.0, "感謝您的來電,再見"),
]


def test_a_traditional_transcript_passes_every_greeting_and_closing_element() -> None:
    a = _analyze(TRADITIONAL)
    for name in ("greeting", "closing", "three_musts"):
        check = a.checks[name]
        assert check.state == "pass", (name, check.reason)
        assert all(e.found for e in check.elements)


def test_traditional_and_simplified_transcripts_get_the_same_verdicts() -> None:
    simplified: list[Turn] = [(s, b, e, canonical(t)) for s, b, e, t in TRADITIONAL]
    assert simplified != TRADITIONAL
    one, other = _analyze(TRADITIONAL), _analyze(simplified)
    assert {n: (c.state, c.confidence) for n, c in one.checks.items()} == {
        n: (c.state, c.confidence) for n, c in other.checks.items()
    }


def test_a_number_spoken_character_by_character_is_one_number() -> None:
    from qa.matching import tokenize_segments
    from transcription.recognizer import Segment, Word

    said = "您好，四零九六號為您服務"
    words = tuple(Word(c, i * 0.2, (i + 1) * 0.2, 0.9) for i, c in enumerate(said))
    tokens = tokenize_segments([Segment("agent", 0.0, 2.4, said, words)])
    number = next(t for t in tokens if t.text == "4096")
    assert number.start == pytest.approx(0.6) and number.end == pytest.approx(1.4)
    assert [t.text for t in tokens][-5:] == ["号", "为", "您", "服", "务"]
    # Numerals that are words stay words, character by character.
    words = tuple(Word(c, i * 0.2, (i + 1) * 0.2, 0.9) for i, c in enumerate("请您稍等一下"))
    assert [t.text for t in tokenize_segments([Segment("agent", 0.0, 1.2, "", words)])] == list(
        "请您稍等一下"
    )
