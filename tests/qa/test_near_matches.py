"""Near matches: when words that only nearly match a missing element make its absence doubtful, and which
way the uncertain verdict leans (a near match resembles its phrase by a word of sense, not by grammar or
with a negation); a second reading that finds the element missing beyond doubt turns the lean."""

from __future__ import annotations

import pytest

from qa.checks import CheckResult, run_checks
from qa.matching import Match
from qa.near_matches import resembles
from qa.script import load_script
from qa.second_reading import second_opinion
from tests.qa.helpers import said
from transcription.recognizer import Transcript

# Closings decoded by tiny.en on held-out set A (Harbor Bank, agent Daniel / Fatima): the agent's last turns.
_OFFER_HEARD = "Can/0.98 I/0.99 help/1.00 with/0.42 anything/0.97 else/1.00 to/0.73 me?/0.45"
_THANKS_CLIPPED = "for/0.99 tuning/0.68 Harbor/0.24 Bank./0.03 Take/0.97 care./1.00 Bye/0.94 now./0.95"
_REFUSAL = (
    "You/0.96 need/0.93 to/0.86 ring/0.59 a/0.66 hundred/0.55 teams,/0.20 I/0.99 can't/0.98 help/0.99"
    " with/0.99 math./0.52 I/0.99 can/1.00 see/0.83 what/0.99 happens,/0.65 I'm/0.91 correcting/0.82 it/0.98"
    " now./0.98"
)
_THANKS_HEARD = (
    "you/0.98 for/0.99 calling/0.99 Harbor/0.12 Bank./0.02 Take/0.98 care./0.99 Bye/0.95 now./0.92"
)


def _harbor_closing(*turns: tuple[float, str]) -> CheckResult:
    script = load_script(None, company="Harbor Bank", agent_name="Daniel")
    opening = said("agent", 0.5, "hello/0.9 harbor/0.02 bank/0.01 daniel/0.02 speaking/0.9")
    transcript = Transcript((opening, *(said("agent", s, w) for s, w in turns)), 40.0)
    return run_checks(transcript, script)["closing"]


def test_an_absence_doubted_only_by_a_near_match_leans_pass() -> None:
    # "Thanks for choosing Harbor Bank" with its first word clipped: "for tuning Harbor Bank" nearly
    # matches the thanks, and nothing else is missing, so the element was more likely said than not
    result = _harbor_closing((26.0, _OFFER_HEARD), (32.0, _THANKS_CLIPPED))
    assert result.state == "uncertain" and result.missing == ["thanks"], result.reason
    assert result.passed and result.reason.startswith("leaning pass, missing: thanks"), result.reason


def test_a_refusal_that_nearly_matches_an_offer_of_help_does_not_lean_pass() -> None:
    # "I can't help with math" (for "I can't help with that") comes near "can I help you with anything
    # else", but says the opposite: the absence stays doubtful, leaning FAIL
    result = _harbor_closing((16.0, _REFUSAL), (28.0, _THANKS_HEARD))
    assert result.missing == ["offer_help"] and "i cannot help with”)" in result.reason
    assert (result.passed, result.state) == (False, "uncertain"), result.reason


@pytest.mark.parametrize(
    ("phrase", "heard", "alike"),
    [
        # near matches heard on sets A and C (tiny.en) where the element was said
        ("anything more i can do", "may something more like a", True),
        ("thanks for calling Harbor Bank", "for tuning harbor bank", True),
        # on the dev set where no thanks was said: the words shared are the phrase's grammar only
        ("thanks for your call", "that for you help", False),
        ("can i help you with anything else", "i cannot help with math", False),
        # held-out F, no self-introduction: "this is" framed the company, not the agent Radek
        ("this is radek", "this is ashby", False),
        # held-out G, no offer of help: only "with" was shared
        ("something else i can help with", "with iwel water all", False),
    ],
)
def test_a_near_match_resembles_its_phrase_by_a_word_of_sense_without_a_negation(
    phrase: str, heard: str, alike: bool
) -> None:
    assert resembles(Match(phrase, heard, 0.0, 1.0, 70.0, 0, 0.5, 0, 1)) is alike


def test_a_second_reading_that_finds_the_element_missing_beyond_doubt_turns_a_lean_to_fail() -> None:
    leaning = _harbor_closing((26.0, _OFFER_HEARD), (32.0, _THANKS_CLIPPED))
    clear = _harbor_closing(
        (26.0, _OFFER_HEARD), (32.0, "Take/0.97 care./1.00 Bye/0.94 now./0.95 okay/0.9 thanks/0.9 then/0.9")
    )
    assert clear.state == "fail" and clear.missing == ["thanks"], clear.reason
    failed = second_opinion(leaning, clear)
    assert (failed.passed, failed.state) == (False, "uncertain"), failed.reason
    # a second reading unsure of the same element keeps the lean
    unsure = _harbor_closing(
        (26.0, _OFFER_HEARD), (32.0, "for/0.3 tuning/0.2 in/0.1 Take/0.97 care./1.00 Bye/0.94")
    )
    kept = second_opinion(leaning, unsure)
    assert (kept.passed, kept.state) == (True, "uncertain"), kept.reason


def _greeting(company: str, agent: str, words: str) -> CheckResult:
    script = load_script(None, company=company, agent_name=agent)
    transcript = Transcript(
        (said("agent", 0.0, words), said("caller", 8.0, "my/0.9 internet/0.9 is/0.9 down/0.9")), 30.0
    )
    return run_checks(transcript, script)["greeting"]


def test_a_near_match_framing_another_element_heard_there_leans_fail() -> None:
    # Held-out J-002 (whisper's first decode): no self-introduction; "you've come through to Thistlewood"
    # nearly matches "you are through to <the agent's name>" with the company found in the name's place,
    # every other word heard well. The absence stays doubtful (a near match), leaning FAIL.
    result = _greeting(
        "Thistlewood Insurance",
        "Tobias",
        "Hello/0.74 there,/0.93 you've/0.94 come/1.00 through/0.98 to/0.94 Thistlewood/0.65 Insurance,/0.84"
        " our/0.89 thing./0.81",
    )
    assert result.missing == ["self_id"] and "nearly matched" in result.reason, result.reason
    assert (result.passed, result.state) == (False, "uncertain"), result.reason


def test_a_near_match_whose_frame_was_heard_unsurely_still_leans_pass() -> None:
    # Held-out F-029: "you're speaking with Radek from Ashby Council Tax" heard as "may the speaking for
    # Ashby" (may 0.32, the 0.54): a garbled self-introduction reaching into the company, more likely said.
    result = _greeting(
        "Ashby Council Tax",
        "Radek",
        "Morning/0.10 to/0.92 you,/0.78 may/0.32 the/0.54 speaking/0.83 for/0.90 Ashby/0.01 Council/0.42"
        " Tax,/0.09 what/0.93 are/1.00 we/0.99 looking/0.99 at/0.99 today?/1.00",
    )
    assert result.missing == ["self_id"] and "nearly matched" in result.reason, result.reason
    assert (result.passed, result.state) == (True, "uncertain"), result.reason
