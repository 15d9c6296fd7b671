"""Closing elements whose absence is in doubt, or whose presence is, on decoded words (written here in the
shape tiny.en gives with the names hinted: the company's name near zero, each word 0.3 s): a thanks heard
in pieces around the company's name, words a redactor took out where an element may have stood, and a
question about the account around an offer phrase."""

from __future__ import annotations

import pytest

from qa.checks import CheckResult, run_checks
from qa.element_evidence import DOUBT_PROBABILITY, ElementJudge
from qa.intent_model import IntentModel
from qa.script import load_script
from qa.second_reading import sure_missing
from tests.qa.helpers import INTENT_THRESHOLD, said
from transcription.recognizer import Speaker, Transcript

COMPANY = "Fenwick Water"
OPENING = "Good/0.91 afternoon,/0.97 Fenwick/0.04 Water,/0.02 Priya/0.03 speaking./0.95"
OFFER = "Is/0.97 there/0.99 anything/0.99 else/0.99 I/0.98 can/0.99 help/0.99 with?/0.97"
NO_MORE = "No,/0.90 that's/0.93 everything./0.88"


def _closing(*turns: tuple[Speaker, float, str], intents: IntentModel | None = None) -> CheckResult:
    segments = (said("agent", 0.5, OPENING, step=0.3), *(said(*t, step=0.3) for t in turns))
    transcript = Transcript(segments, segments[-1].end + 1.0)
    judge = ElementJudge(intents, INTENT_THRESHOLD) if intents is not None else None
    script = load_script(None, company=COMPANY, agent_name="Priya")
    return run_checks(transcript, script, judge=judge)["closing"]


def test_the_company_s_name_then_a_bare_thanks_in_the_last_turn_doubts_the_missing_thanks(
    intents: IntentModel,
) -> None:
    # The agent said "It was lovely of you to ring Fenwick Water this afternoon, thank you. Bye now."; the
    # recogniser lost the turn's first words. What is left is a thanks for the call in pieces, which the
    # model does not read as one (a bare "thank you" is among its negatives): both readings of such a turn
    # found the thanks missing beyond doubt, a certain FAIL of a closing that thanked.
    result = _closing(
        ("agent", 20.0, OFFER),
        ("caller", 23.0, NO_MORE),
        (
            "agent",
            25.0,
            "Fenwick/0.05 Water/0.03 this/0.93 afternoon,/0.97 thank/0.98 you./0.99 Bye/0.95 now./0.92",
        ),
        intents=intents,
    )
    assert result.missing == ["thanks"] and result.state == "uncertain", result.reason
    assert result.passed  # the words heard resemble the thanks: it leans PASS, a person decides
    assert any("fenwick water this afternoon thank" in d for d in result.doubts)
    assert sure_missing(result) == []


def test_the_company_s_name_without_a_thanks_after_it_leaves_the_thanks_missing_beyond_doubt() -> None:
    result = _closing(
        ("agent", 20.0, OFFER),
        ("caller", 23.0, NO_MORE),
        (
            "agent",
            25.0,
            "Your/0.96 Fenwick/0.05 Water/0.03 refund/0.97 is/0.99 on/0.98 its/0.97 way./0.99 Bye./0.95",
        ),
    )
    assert result.state == "fail" and sure_missing(result) == ["thanks"], result.reason


def test_thanks_for_holding_after_the_company_s_name_is_no_thanks_in_pieces() -> None:
    result = _closing(
        ("agent", 20.0, OFFER),
        ("caller", 23.0, NO_MORE),
        ("agent", 25.0, "Fenwick/0.05 Water,/0.03 thanks/0.98 for/0.99 holding./0.99 Bye./0.95"),
    )
    assert not any("in pieces" in d for d in result.missing_doubts), result.reason


@pytest.mark.parametrize(
    "question",
    [
        "Was/0.97 there/0.99 anything/0.99 else/0.99 in/0.98 the/0.99 letter/0.96 from/0.98 us?/0.97",
        "Was/0.97 there/0.99 anything/0.99 else/0.99 on/0.98 the/0.99 statement/0.96 you/0.98 didn't/0.97"
        " recognise?/0.93",
    ],
)
def test_a_question_about_the_account_around_anything_else_is_no_offer(question: str) -> None:
    # "anything else" is a listed offer phrase: on its own it made such a question a certain offer of help.
    last = "Thank/0.98 you/0.99 for/0.99 calling/0.98 Fenwick/0.05 Water,/0.03 goodbye./0.96"
    result = _closing(("agent", 20.0, question), ("caller", 24.0, NO_MORE), ("agent", 26.0, last))
    assert result.missing == ["offer_help"] and not result.passed, result.reason


def test_an_offer_around_the_same_words_stays_an_offer() -> None:
    last = "Thank/0.98 you/0.99 for/0.99 calling/0.98 Fenwick/0.05 Water,/0.03 goodbye./0.96"
    offer = "Anything/0.97 else/0.99 in/0.98 the/0.99 meantime?/0.96"
    result = _closing(("agent", 20.0, offer), ("caller", 23.0, NO_MORE), ("agent", 25.0, last))
    assert result.state == "pass", result.reason


def test_a_placeholder_where_the_words_around_it_make_a_goodbye_doubts_its_absence() -> None:
    # A word of the goodbye taken out as personal data: its place was not heard by any reading.
    result = _closing(
        ("agent", 20.0, OFFER),
        ("caller", 23.0, NO_MORE),
        (
            "agent",
            25.0,
            "Thank/0.98 you/0.99 for/0.99 calling/0.98 Fenwick/0.05 Water,/0.03 have/0.97 a/0.99"
            " [NUMBER]/1.00 weekend./0.96",
        ),
    )
    assert result.missing == ["goodbye"] and result.state == "uncertain", result.reason
    assert any(d.startswith("goodbye:") and "redacted" in d for d in result.missing_doubts)
    assert sure_missing(result) == []


def test_a_placeholder_among_words_that_make_no_element_leaves_it_missing_beyond_doubt() -> None:
    # A time taken for an account number in the agent's last turn: no closing element stood there.
    result = _closing(
        ("agent", 20.0, OFFER),
        ("caller", 23.0, NO_MORE),
        (
            "agent",
            25.0,
            "I've/0.97 booked/0.99 you/0.99 in/0.98 for/0.99 Tuesday/0.97 at/0.96 [ACCOUNT]./1.00 Bye./0.95",
        ),
    )
    assert result.state == "fail" and sure_missing(result) == ["thanks"], result.reason


def test_thanks_for_holding_read_a_little_as_a_thanks_does_not_doubt_a_missing_thanks(
    intents: IntentModel,
) -> None:
    # Held-out G-036, a closing without a thanks, as both recognisers heard it: the model reads "Thanks for
    # holding." a little as a thanks for the call, enough to doubt the absence; it is a false friend said
    # word for word, and says what that phrase says.
    holding = "Thanks/0.99 for/1.00 holding./1.00 I've/0.99 got/1.00 the/0.99 details/1.00 in/1.00 front/1.00"
    offer = "Is/0.97 there/0.99 one/1.00 more/0.99 thing/1.00 I/0.76 can/1.00 entangle/0.86 while/0.99"
    read = intents.read_elements(["Thanks for holding."])[0]["thanks"].probability
    assert read >= DOUBT_PROBABILITY  # without the false friends it would doubt
    result = _closing(
        ("agent", 20.0, holding),
        ("agent", 26.0, offer + " you're/0.99 here?/1.00"),
        ("caller", 30.0, NO_MORE),
        ("agent", 33.0, "Catch/0.96 you/0.99 another/0.99 time./0.99 Goodbye./0.89"),
        intents=intents,
    )
    assert result.state == "fail" and sure_missing(result) == ["thanks"], result.reason
