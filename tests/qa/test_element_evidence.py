"""Script elements heard by meaning: an offer of help, thanks or goodbye worded as no phrase list has it
passes with the sentence model's evidence; a closing without the element still fails; the model alone
is certain only from the element's held-out certainty point and on enough words."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from qa.checks import CheckResult, run_checks
from qa.element_evidence import ElementJudge, ElementMatch, WindowReading, window_sentences
from qa.elements import BY_MEANING, window_tokens
from qa.exceptions import ScriptError
from qa.intent_evidence import ModelMatch
from qa.intent_model import IntentModel, data_version, read_elements, read_intents
from qa.intents import Intent, normalized
from qa.matching import normalize
from qa.script import load_script
from tests.qa.helpers import INTENT_THRESHOLD, Turn, make_transcript
from transcription.recognizer import Segment, Transcript, Word

OPENING: Turn = ("agent", 0.5, 4.0, "Good morning, Blue Harbor Bank, Dana speaking.")
WORK: Turn = ("agent", 20.0, 23.0, "I've put the refund through, it will show in two days.")


def _unseen(sentence: str) -> str:
    text = normalized(sentence)
    assert text not in read_elements().texts and text not in read_intents(None).texts, "use unseen wording"
    return sentence


def _closing(intents: IntentModel | None, *turns: Turn) -> CheckResult:
    transcript = make_transcript([OPENING, WORK, *turns])
    judge = ElementJudge(intents, INTENT_THRESHOLD) if intents is not None else None
    return run_checks(transcript, load_script(None, company="Blue Harbor Bank"), judge=judge)["closing"]


@pytest.mark.parametrize(
    "offer",
    [
        "Can I sort out one more thing for you while you're on the line?",
        "Got any other bits and pieces I can take care of for you?",
        "Is there any further thing I might look into for you today?",
    ],
)
def test_an_offer_of_help_worded_as_no_phrase_list_has_it_passes_belongs(
    intents: IntentModel, offer: str
) -> None:
    thanks: Turn = ("agent", 30.0, 33.0, "Thank you for calling Blue Harbor Bank, goodbye.")
    turns: list[Turn] = [("agent", 25.0, 28.0, _unseen(offer)), thanks]
    assert "offer_help" in _closing(None, *turns).missing  # the phrase lists alone miss it
    result = _closing(intents, *turns)
    assert result.passed, result.reason
    offer_element = next(e for e in result.elements if e.name == "offer_help")
    assert offer_element.note == BY_MEANING and offer_element.evidence is not None
    assert offer_element.evidence.phrase == "model:offer_help"
    [reading] = intents.read_elements([offer])
    assert result.state == ("pass" if reading["offer_help"].certain else "uncertain")


@pytest.mark.parametrize(
    "last",
    [
        "Thank you for calling Blue Harbor Bank, goodbye.",
        "Right, that's the refund sorted, cheers, bye.",
    ],
)
def test_a_closing_without_an_offer_of_help_still_fails(intents: IntentModel, last: str) -> None:
    result = _closing(intents, ("agent", 30.0, 33.0, last))
    assert not result.passed and "offer_help" in result.missing, result.reason


def test_thanks_for_waiting_is_not_thanks_for_calling(intents: IntentModel) -> None:
    turns: list[Turn] = [
        ("agent", 25.0, 27.0, "Is there anything else I can help you with?"),
        ("agent", 30.0, 33.0, _unseen("Thanks ever so much for waiting on the line, okay bye now.")),
    ]
    result = _closing(intents, *turns)
    assert not result.passed and "thanks" in result.missing, result.reason


def test_gratitude_for_the_call_in_other_words_is_the_closings_thanks(intents: IntentModel) -> None:
    # read 0.30 by the model trained on thanks worded around "thank(s)" alone: no thanks heard
    thanks = "We're ever so grateful you phoned Blue Harbor Bank today."
    turns: list[Turn] = [
        ("agent", 25.0, 28.0, "Is there anything else I can help you with?"),
        ("agent", 30.0, 33.0, _unseen(thanks)),
        ("agent", 34.0, 36.0, "Goodbye."),
    ]
    assert "thanks" in _closing(None, *turns).missing  # the phrase lists alone miss it
    result = _closing(intents, *turns)
    assert result.passed, result.reason
    found = next(e for e in result.elements if e.name == "thanks")
    assert found.note == BY_MEANING and found.evidence is not None and found.evidence.phrase == "model:thanks"


@pytest.mark.parametrize(
    "gratitude",
    [
        "We're grateful for your patience on the line.",
        "Cheers for hanging on while I found it.",
        "Much appreciated, one second.",
    ],
)
def test_gratitude_for_holding_or_a_detail_is_no_thanks_for_the_call(
    intents: IntentModel, gratitude: str
) -> None:
    [reading] = intents.read_elements([_unseen(gratitude)])
    assert reading["thanks"].probability < INTENT_THRESHOLD


def test_a_question_about_the_account_is_no_offer_of_help(intents: IntentModel) -> None:
    # the model trained without account questions worded around "anything else" read this as a certain
    # offer of help (0.56, certain from 0.54)
    [reading] = intents.read_elements([_unseen("Was there anything else in the letter from us?")])
    assert reading["offer_help"].probability < INTENT_THRESHOLD


def test_the_model_alone_is_never_certain_on_a_fragment() -> None:
    def hit(text: str) -> ModelMatch:
        return ModelMatch("model:rude", text, 1.0, 2.0, 99.0, 0, 0.95, -1, -1, 0.5)

    assert "too few words" in (hit("Speaking.").weakness(0.0) or "")
    assert "too few words" in (hit("One moment.").weakness(0.0) or "")
    assert hit("Stop wasting my time with this nonsense.").weakness(0.0) is None


def test_element_readings_carry_each_elements_certainty_point(intents: IntentModel) -> None:
    [reading] = intents.read_elements(["Is there anything else I can help you with today?"])
    assert set(reading) == {"salutation", "offer_help", "thanks", "goodbye"}
    offer = reading["offer_help"]
    assert isinstance(offer, Intent) and offer.probability > 0.9
    assert offer.certain_at == intents.elements["offer_help"].certain_at_["offer_help"]
    assert reading["goodbye"].probability < INTENT_THRESHOLD


def test_element_readers_learn_from_their_own_negatives_not_the_intent_data(tmp_path: Path) -> None:
    data = read_elements()
    listed = dict(zip(data.texts, data.elements, strict=True))
    assert listed[normalized("could you confirm your date of birth")] == frozenset()
    assert listed[normalized("thanks for calling have a lovely day goodbye")] == {"thanks", "goodbye"}
    # An intent-data edit changes the model's data version but not one row the element readers learn from
    # (it used to add every intent sentence to their negatives and move greeting/closing certainty).
    intents = tmp_path / "intents.tsv"
    intents.write_text("none\tI'm Sophie from the billing team\n")
    assert data_version([intents]) != data_version()
    assert normalized("I'm Sophie from the billing team") not in read_elements().texts
    bad = tmp_path / "bad.tsv"
    bad.write_text("offer_help\n")
    with pytest.raises(ScriptError, match=r"bad\.tsv:1"):
        read_elements(bad)
    saying = tmp_path / "negatives.tsv"
    saying.write_text("goodbye\tbye now\n")
    with pytest.raises(ScriptError, match=r"negatives\.tsv: every sentence must be labelled none"):
        read_elements(None, saying)


def test_a_salutation_heard_unsure_is_confirmed_by_the_sentence_read_without_the_hinted_names(
    intents: IntentModel,
) -> None:
    # whisper's first word and the names given to it as hints come back with low probability however
    # clearly they were said; the rest of the sentence was heard clearly (and names no other salutation)
    heard = [
        ("Hello,", 0.3),
        ("you've", 0.9),
        ("reached", 0.95),
        ("Blue", 0.05),
        ("Harbor", 0.04),
        ("Bank,", 0.03),
        ("I", 0.95),
        ("am", 0.95),
        ("Dana,", 0.1),
        ("how", 0.95),
        ("can", 0.95),
        ("I", 0.95),
        ("help", 0.95),
        ("today?", 0.9),
    ]
    words = tuple(Word(text, 0.5 + 0.3 * i, 0.8 + 0.3 * i, conf) for i, (text, conf) in enumerate(heard))
    opening = Segment("agent", 0.5, words[-1].end, " ".join(w for w, _ in heard), words, 0.6)
    closing = make_transcript([("agent", 30.0, 33.0, "Anything else? Thanks for calling, goodbye.")])
    transcript = Transcript((opening, *closing.segments), 34.0)
    script = load_script(None, company="Blue Harbor Bank", agent_name="Dana")
    alone = run_checks(transcript, script)["greeting"]
    assert alone.passed and alone.state == "uncertain"  # "hello" heard with confidence 0.3
    judge = ElementJudge(intents, INTENT_THRESHOLD)
    tokens = window_tokens(transcript, "agent", script.checks["greeting"].window)
    hinted = frozenset(normalize("Blue Harbor Bank") + normalize("Dana"))
    window = WindowReading(judge, window_sentences(transcript, "agent", tokens, 20.0), tokens, hinted)
    meant = window.evidence("salutation")
    assert meant is not None
    unhinted = [c for w, c in heard if w.strip(",?") not in {"Blue", "Harbor", "Bank", "Dana"}]
    assert meant.mean_conf == pytest.approx(sum(unhinted) / len(unhinted))
    # The model's reading confirms the unsure "hello" only where the salutation model may be certain at all
    # (its held-out precision clears the bound; today it does not, and a person looks).
    result = run_checks(transcript, script, judge=judge)["greeting"]
    salutation = next(e for e in result.elements if e.name == "salutation")
    [reading] = intents.read_elements([opening.text])
    certain = reading["salutation"].certain
    assert salutation.note == (BY_MEANING if certain else "")
    assert result.passed and result.state == ("pass" if certain else "uncertain"), result.reason


class _ReadsOffers:
    """An element reader that hears an offer of help, a little, in every sentence asking how to help."""

    def read_elements(self, texts: Sequence[str]) -> list[dict[str, Intent]]:
        return [
            {"offer_help": Intent("offer_help", 0.3 if "how can i help" in normalized(t) else 0.01, 0.9)}
            for t in texts
        ]


def test_the_greetings_question_does_not_doubt_a_missing_offer_of_help_but_a_later_one_does() -> None:
    script = load_script(None, company="Blue Harbor Bank")
    judge = ElementJudge(_ReadsOffers(), INTENT_THRESHOLD)
    opening: Turn = ("agent", 0.5, 4.0, "Good morning, Blue Harbor Bank, Dana speaking, how can I help?")
    bye: Turn = ("agent", 12.0, 15.0, "Thank you for calling Blue Harbor Bank, goodbye.")
    problem: Turn = ("caller", 5.0, 7.0, "My card was declined.")
    closing = run_checks(make_transcript([opening, problem, bye]), script, judge=judge)["closing"]
    # A short call's last turns reach back to the greeting, but its question is no offer of further help.
    assert (closing.state, closing.missing) == ("fail", ["offer_help"]), closing.reason
    later: Turn = ("agent", 9.0, 11.0, "Right, so how can I help with the card?")
    closing = run_checks(make_transcript([opening, problem, later, bye]), script, judge=judge)["closing"]
    assert closing.state == "uncertain" and "may say it" in closing.reason


def test_a_late_greeting_where_the_agent_gives_their_name_is_part_of_the_opening_too() -> None:
    script = load_script(None, company="Blue Harbor Bank", agent_name="Dana")
    judge = ElementJudge(_ReadsOffers(), INTENT_THRESHOLD)
    turns: list[Turn] = [
        ("agent", 0.5, 1.5, "One moment."),
        ("caller", 2.0, 3.0, "Hello?"),
        ("agent", 25.0, 28.0, "Blue Harbor Bank, my name is Dana, how can I help?"),
        ("caller", 29.0, 31.0, "My card was declined."),
        ("agent", 32.0, 35.0, "I've unblocked it, try again now."),
        ("agent", 40.0, 43.0, "Thank you for calling Blue Harbor Bank, goodbye."),
    ]
    closing = run_checks(make_transcript(turns), script, judge=judge)["closing"]
    assert (closing.state, closing.missing) == ("fail", ["offer_help"]), closing.reason


@pytest.mark.parametrize(
    ("offer", "certain"),
    [
        # The recogniser dropped "else": the phrase list matches "anything" only at its threshold; the
        # sentence says an offer of help, and the model reads it so beyond its certainty point.
        ("Can I check anything further for you while you're on?", True),
        # The same word in a refusal is no offer: the model does not vouch for it, the doubt stays.
        ("Honestly, I can't do anything about it.", False),
    ],
)
def test_an_offer_matched_only_at_the_threshold_is_certain_when_the_model_reads_its_sentence_as_one(
    intents: IntentModel, offer: str, certain: bool
) -> None:
    [reading] = intents.read_elements([offer])
    assert reading["offer_help"].certain == certain  # the premise: what the trained model reads
    turns: list[Turn] = [
        ("agent", 25.0, 28.0, _unseen(offer)),
        ("agent", 30.0, 33.0, "Thank you for calling Blue Harbor Bank, goodbye."),
    ]
    without_model = _closing(None, *turns)
    assert without_model.passed and without_model.state == "uncertain", without_model.reason
    assert any(d.startswith("offer_help heard with weak evidence") for d in without_model.doubts)
    result = _closing(intents, *turns)
    assert result.passed, result.reason
    assert result.state == ("pass" if certain else "uncertain"), result.reason


def test_a_salutation_and_thanks_worded_as_nobody_wrote_them_are_read_with_certainty(
    intents: IntentModel,
) -> None:
    # With a few dozen sentences each, salutation and thanks never reached a certainty point, so a
    # salutation or thanks heard only near its phrase list could never be corroborated by meaning.
    salutation, thanks, holding = intents.read_elements(
        [
            _unseen("Good afternoon to you, you are through to the accounts desk"),
            _unseen("Thank you so much for giving us a call"),
            _unseen("Thanks for holding, I have your account here"),
        ]
    )
    assert salutation["salutation"].certain and thanks["thanks"].certain
    assert holding["thanks"].probability < INTENT_THRESHOLD


def test_an_element_reading_needs_four_words_not_four_content_words() -> None:
    def read(text: str, probability: float = 0.9) -> ElementMatch:
        return ElementMatch("model:offer_help", text, 1.0, 2.0, probability * 100, 0, 0.95, -1, -1, 0.54)

    # an offer of further help is made of stop words: one content word ("way") in tiny.en's reading of
    # "Is there any other way I can help?" with its last word dropped, none in "Anything else at all?"
    assert read("Is there any other way I can").weakness(0.0) is None
    assert read("Was there anything else at all?").weakness(0.0) is None
    assert "too few words" in (read("Take care.").weakness(0.0) or "")
    assert "certain from 0.54" in (read("Is there any other way I can", 0.5).weakness(0.0) or "")


def test_an_offer_worded_in_stop_words_is_certain_belongs(intents: IntentModel) -> None:
    offer = _unseen("Is there any other way I can")
    [reading] = intents.read_elements([offer])
    assert reading["offer_help"].certain  # the premise: the trained model reads it as an offer
    thanks: Turn = ("agent", 30.0, 33.0, "Thank you for calling Blue Harbor Bank, goodbye.")
    result = _closing(intents, ("agent", 25.0, 28.0, offer), thanks)
    assert (result.passed, result.state) == (True, "pass"), result.reason
