"""Phrases a script element must not be matched on (`false_friends`, qa/matching.py `claimed`), on tiny.en's
decodes of held-out calls (word confidences as decoded; each word 0.3 s)."""

from __future__ import annotations

from qa.checks import CheckResult, run_checks
from qa.script import load_script
from tests.qa.helpers import said
from transcription.recognizer import Speaker, Transcript


def _closing(company: str, agent: str, duration_s: float, *turns: tuple[Speaker, float, str]) -> CheckResult:
    opening = said("agent", 0.0, "Good/0.9 afternoon/0.9 how/0.9 can/0.9 I/0.9 help?/0.9", step=0.3)
    transcript = Transcript((opening, *(said(*t, step=0.3) for t in turns)), duration_s)
    return run_checks(transcript, load_script(None, company=company, agent_name=agent))["closing"]


def test_thanks_for_holding_is_no_thanks_for_calling() -> None:
    # Held-out G-036: a closing without thanks, the agent back from a hold 27 s into a 52 s call. "Thanks
    # for holding" matched "thanks for choosing" at 86: a certain PASS.
    result = _closing(
        "Kingfisher Broadband",
        "Odette",
        52.2,
        (
            "agent",
            27.0,
            "Thanks/0.99 for/1.00 holding./1.00 I've/0.99 got/1.00 the/0.99 details/1.00 in/1.00 front/1.00"
            " of/1.00 me/1.00 now./0.99",
        ),
        (
            "agent",
            31.1,
            "I've/0.80 gone/0.97 over/0.99 this/0.94 three/0.76 times/0.99 already./0.99 Do/0.97 you/1.00"
            " actually/1.00 listen?/0.99",
        ),
        ("caller", 39.9, "Brilliant,/0.56 nice,/0.29 the/0.17 best/0.75 new/0.86 fall/0.28 week./0.87"),
        (
            "agent",
            43.1,
            "Is/0.97 there/0.99 one/1.00 more/0.99 thing/1.00 I/0.76 can/1.00 entangle/0.86 while/0.99"
            " you're/0.99 here?/1.00",
        ),
        ("caller", 46.7, "No,/0.78 you've/0.89 been/0.99 real/0.73 held,/0.35 ah./0.43"),
        ("agent", 49.9, "Catch/0.96 you/0.99 another/0.99 time./0.99 Goodbye./0.89"),
    )
    assert "thanks" in result.missing and not result.passed, result.reason
    assert not any("thanks for" in d for d in result.doubts)  # nor does it sound like a thanks misheard


def test_a_thanks_as_close_to_a_false_friend_as_to_the_script_still_counts() -> None:
    # Held-out F-011: "Thank you for being with Dunmore Lettings, we appreciate it." with the company lost:
    # "thank you for being" is 85 like "thank you for calling" and like "thank you for holding", a tie.
    result = _closing(
        "Dunmore Lettings",
        "Emeka",
        63.0,
        (
            "agent",
            47.4,
            "Anything/0.24 else/0.97 on/0.94 your/0.98 mind/0.95 I/0.23 can/0.85 talk/0.91 while/0.85"
            " we're/0.74 talking./0.52",
        ),
        ("caller", 51.3, "No,/0.21 that's/0.76 more/0.59 than/0.92 enough./0.34"),
        (
            "agent",
            54.3,
            "Thank/0.24 you/0.98 for/0.69 being/0.08 with/0.90 Dunmore/0.18 laughing,/0.01 we/0.88"
            " appreciate/0.97 it./0.87",
        ),
        ("caller", 58.7, "Yeah,/0.72 bye./0.98"),
        ("agent", 61.3, "Enjoy/0.86 my/0.43 left/0.36 of/0.20 your/0.94 evening,/1.00 bye./0.72"),
    )
    thanks = next(e for e in result.elements if e.name == "thanks")
    assert thanks.found and thanks.evidence is not None and thanks.evidence.text == "thank you for being"


def test_thanks_for_holding_opens_no_greeting() -> None:
    transcript = Transcript(
        (
            said(
                "agent",
                0.0,
                "Thanks/0.95 for/0.95 holding,/0.95 Orbit/0.95 Telecom,/0.95 you're/0.95 through/0.95 to/0.95"
                " Leo./0.95",
                step=0.3,
            ),
            said("agent", 30.0, "Thank/0.95 you/0.95 for/0.95 calling,/0.95 goodbye./0.95", step=0.3),
        ),
        33.0,
    )
    greeting = run_checks(transcript, load_script(None, company="Orbit Telecom", agent_name="Leo"))[
        "greeting"
    ]
    assert greeting.missing == ["salutation"]
