"""The Chinese script (开头语/结束语, 三必须) and the three don'ts on hand-made transcripts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.analysis import analyze_transcript
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from scoring.scorecard import load_scorecard, score_call
from tests.qa.helpers import QA_NUMBERS, Turn, make_transcript

COMPANY = "星海电信"
GREETING: Turn = ("agent", 0.5, 4.0, "您好，星海电信，1024号为您服务。")
ASK: Turn = ("agent", 9.0, 12.0, "请您提供一下手机号码。")
CALLER: Turn = ("caller", 4.5, 8.0, "我的宽带断了。")
CLOSING: Turn = ("agent", 20.0, 24.0, "请问还有什么可以帮您？")
BYE: Turn = ("agent", 27.0, 30.0, "感谢您的来电，再见。")


def analyze(turns: list[Turn], company: str | None = COMPANY):  # type: ignore[no-untyped-def]
    return analyze_transcript(
        make_transcript(turns),
        load_script(None, company=company, language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


def test_a_compliant_chinese_call_passes_every_check() -> None:
    a = analyze([GREETING, CALLER, ASK, CLOSING, ("caller", 25.0, 26.0, "没有了。"), BYE])
    assert {name: c.passed for name, c in a.checks.items()} == {
        "greeting": True,
        "closing": True,
        "three_musts": True,
    }
    company = next(e for e in a.checks["greeting"].elements if e.name == "company")
    assert company.evidence is not None and company.evidence.start == 0.5
    assert a.violations == []


def test_missing_company_and_late_greeting_fail() -> None:
    no_company = analyze([("agent", 0.5, 3.0, "您好，1024号为您服务。"), CLOSING, BYE])
    assert no_company.checks["greeting"].missing == ["company"]
    late = analyze([("agent", 25.0, 28.0, "您好，星海电信，1024号为您服务。"), CLOSING, BYE])
    assert not late.checks["greeting"].passed


def test_a_misheard_character_is_tolerated() -> None:
    garbled = analyze([("agent", 0.5, 4.0, "您好，星海电信，1024号为你服务。"), CLOSING, BYE])  # 您 → 你
    assert garbled.checks["greeting"].passed


def test_closing_without_thanks_and_the_three_musts() -> None:
    a = analyze(
        [
            GREETING,
            ("agent", 9.0, 12.0, "你提供一下手机号码。"),  # the plain 你 to the caller
            ("agent", 70.0, 72.0, "再见。"),
            ("agent", 80.0, 84.0, "请问还有什么可以帮您？"),  # not 再见 last
        ]
    )
    assert a.checks["closing"].missing == ["thanks"]
    musts = {e.name: e.found for e in a.checks["three_musts"].elements}
    assert musts == {"please": True, "respectful_you": False, "goodbye_at_end": False}
    you = next(e for e in a.checks["three_musts"].elements if e.name == "respectful_you")
    assert you.evidence is not None and you.evidence.text == "你" and you.evidence.start == 9.0
    assert a.checks["three_musts"].state == "fail"


def test_you_plural_is_not_the_plain_you_and_a_doubtful_you_is_uncertain() -> None:
    plural = analyze([GREETING, ("agent", 9.0, 12.0, "请问你们家的宽带是什么时候断的？"), CLOSING, BYE])
    assert plural.checks["three_musts"].state == "pass"
    heard = make_transcript([GREETING, ASK, ("agent", 15.0, 16.0, "你"), CLOSING, BYE])
    unsure = tuple(
        replace(seg, words=tuple(replace(w, conf=0.3) for w in seg.words)) if seg.text == "你" else seg
        for seg in heard.segments
    )
    doubtful = analyze_transcript(
        replace(heard, segments=unsure),
        load_script(None, company=COMPANY, language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )
    assert doubtful.checks["three_musts"].state == "uncertain"


def test_three_donts_and_empathy() -> None:
    a = analyze(
        [
            GREETING,
            ("agent", 9.0, 11.0, "这不归我管。"),
            ("agent", 12.0, 14.0, "是你自己的问题。"),
            ("agent", 15.0, 17.0, "你听我说。"),
            ("agent", 18.0, 20.0, "非常抱歉，给您带来不便。"),
            CLOSING,
            BYE,
        ]
    )
    assert [v.category for v in a.violations] == ["blame_shifting", "blame_customer", "rude"]
    assert a.violations[0].start == 9.0
    assert a.has_empathy


def _with_number(turns: list[Turn], number: str | None):  # type: ignore[no-untyped-def]
    return analyze_transcript(
        make_transcript(turns),
        load_script(None, company=COMPANY, agent_number=number, language="zh"),
        load_forbidden_phrases(None, "zh"),
        load_empathy_phrases(None, "zh"),
        sentiment_model=VaderSentiment(),
        **QA_NUMBERS,
    )


@pytest.mark.parametrize(
    "said",
    [
        "您好，星海电信，1024号为您服务。",
        "您好，星海电信，一零二四号为您服务。",
        "您好，星海电信，幺零二四號為您服務。",
    ],
)
def test_the_agents_work_number_is_heard_however_it_is_spelled(said: str) -> None:
    greeting = _with_number([("agent", 0.5, 4.0, said), CLOSING, BYE], "1024").checks["greeting"]
    assert greeting.state == "pass", greeting.reason


def test_another_work_number_or_none_is_doubted() -> None:
    other = _with_number([("agent", 0.5, 4.0, "您好，星海电信，1025号为您服务。"), CLOSING, BYE], "1024")
    greeting = other.checks["greeting"]
    assert greeting.state == "uncertain" and "work number" in greeting.reason
    alone = _with_number([("agent", 0.5, 4.0, "您好，星海电信，1024。"), CLOSING, BYE], "1024")
    assert alone.checks["greeting"].state == "uncertain"
    unknown = _with_number([("agent", 0.5, 4.0, "您好，星海电信，1025号为您服务。"), CLOSING, BYE], None)
    assert unknown.checks["greeting"].state == "pass"


@pytest.mark.parametrize("said", ["您好，星海电信，1024号。", "您好，星海电信，工号1024，请讲。"])
def test_the_work_number_alone_is_a_self_introduction(said: str) -> None:
    greeting = _with_number([("agent", 0.5, 4.0, said), CLOSING, BYE], "1024").checks["greeting"]
    assert greeting.state == "pass", greeting.reason


def test_a_name_without_the_work_number_is_no_self_introduction() -> None:
    by_name = _with_number([("agent", 0.5, 4.0, "您好，星海电信，我是小周。"), CLOSING, BYE], "1024")
    greeting = by_name.checks["greeting"]
    assert greeting.state == "fail" and greeting.missing == ["self_id"], greeting.reason
    # The number said anywhere in the opening turn still counts, the name beside it does no harm.
    both = _with_number(
        [("agent", 0.5, 4.0, "您好，星海电信，我是小周，工号一零二四。"), CLOSING, BYE], "1024"
    )
    assert both.checks["greeting"].state == "pass", both.checks["greeting"].reason


@pytest.mark.parametrize("salutation", ["上午好", "下午好", "晚上好", "早上好"])
def test_a_time_of_day_salutation_is_a_salutation(salutation: str) -> None:
    greeting = analyze([("agent", 0.5, 4.0, f"{salutation}，星海电信，1024号为您服务。"), CLOSING, BYE])
    assert greeting.checks["greeting"].state == "pass", greeting.checks["greeting"].reason


def test_a_goodbye_heard_as_a_homophone_is_no_certain_fail() -> None:
    misheard = analyze([GREETING, CALLER, ASK, CLOSING, ("agent", 27.0, 30.0, "感谢您的来电，在见。")])
    closing = misheard.checks["closing"]
    assert closing.state == "uncertain" and "在 见" in closing.reason, closing.reason
    unrelated = analyze([GREETING, CALLER, ASK, CLOSING, ("agent", 27.0, 30.0, "感谢您的来电，好的。")])
    assert unrelated.checks["closing"].state == "fail", unrelated.checks["closing"].reason


def test_the_default_chinese_scorecard_scores_the_three_musts() -> None:
    card = load_scorecard(None, "zh")
    assert card.id == "default-zh" and load_scorecard(None, "en").id == "default"
    polite = analyze([GREETING, CALLER, ASK, CLOSING, BYE])
    assert score_call(polite, card).total == 100
    # No 请 and no 您 anywhere: greeting and closing still pass on their other variants.
    curt = analyze(
        [
            ("agent", 0.5, 4.0, "你好，星海电信，1024号为你服务。"),
            CALLER,
            ("agent", 9.0, 12.0, "你提供一下手机号码。"),
            ("agent", 20.0, 24.0, "还有其他问题吗？"),
            ("agent", 27.0, 30.0, "感谢来电，再见。"),
        ]
    )
    assert curt.checks["greeting"].passed and curt.checks["closing"].passed
    assert set(curt.checks["three_musts"].missing) == {"please", "respectful_you"}
    assert score_call(curt, card).total < 100
