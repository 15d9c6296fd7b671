"""The learned sentence layer: paraphrases nobody listed are caught with evidence; no false alarms."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from callqa.settings import Settings
from qa.analysis import analyze_transcript
from qa.exceptions import ScriptError
from qa.intents import DEFAULT_DATA, IntentModel, agent_sentences, read_intents, train_intents
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from tests.qa.helpers import make_transcript
from transcription.recognizer import Segment, Transcript, Word


@pytest.fixture(scope="module")
def intents() -> IntentModel:
    return train_intents(None)


def _analyze(transcript: Transcript, intents: IntentModel | None):  # type: ignore[no-untyped-def]
    return analyze_transcript(
        transcript,
        load_script(None, company="Blue Harbor Bank"),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
        intent_model=intents,
        intent_threshold=0.6,
    )


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Honestly, the warehouse messed this up, not me.", "blame_shifting"),
        ("Well, you ought to have read the small print.", "blame_customer"),
        ("I'm sorry, I can hear this has been really hard for you.", "empathy"),
        ("Could you confirm the postcode on the account?", "none"),
    ],
)
def test_classifies_sentences_it_was_not_trained_on(intents: IntentModel, sentence: str, label: str) -> None:
    assert sentence.lower().strip(".?") not in read_intents(None)[0]
    assert intents.classify([sentence])[0][0] == label


def test_paraphrased_violation_is_caught_with_model_evidence(intents: IntentModel) -> None:
    transcript = make_transcript(
        [
            ("agent", 0.5, 4.0, "Good morning, Blue Harbor Bank, Dana speaking."),
            ("caller", 4.5, 7.0, "My card was charged twice."),
            ("agent", 8.0, 11.0, "Honestly, the warehouse messed this up, not me."),
        ]
    )
    without = _analyze(transcript, None)
    with_model = _analyze(transcript, intents)
    assert [v.category for v in without.violations] == []
    [violation] = with_model.violations
    assert violation.category == "blame_shifting"
    assert violation.source == "model"
    assert (violation.start, violation.end) == pytest.approx((8.0, 11.0))
    assert violation.to_dict()["source"] == "model"
    assert with_model.intent_model.startswith("intent-logreg:")


def test_a_listed_phrase_is_reported_once_not_again_by_the_model(intents: IntentModel) -> None:
    transcript = make_transcript([("agent", 1.0, 3.0, "That is not my department.")])
    violations = _analyze(transcript, intents).violations
    assert [(v.category, v.source) for v in violations] == [("blame_shifting", "phrase")]


def test_polite_transfers_and_routine_talk_raise_nothing(intents: IntentModel) -> None:
    transcript = make_transcript(
        [
            ("agent", 0.5, 4.0, "Thank you for calling Blue Harbor Bank, this is Dana."),
            ("agent", 5.0, 9.0, "I'll put you through to our mortgages team, they can help with that."),
            ("agent", 10.0, 13.0, "Could you read me the reference on the letter?"),
            ("agent", 14.0, 17.0, "Is there anything else I can do for you today?"),
        ]
    )
    analysis = _analyze(transcript, intents)
    assert analysis.violations == []
    assert analysis.empathy == []


def test_sentences_split_at_engine_punctuation_keep_word_times() -> None:
    words = (
        Word("Sorry", 1.0, 1.4),
        Word("about", 1.4, 1.7),
        Word("that.", 1.7, 2.0),
        Word("Your", 3.0, 3.2),
        Word("balance", 3.2, 3.6),
        Word("is", 3.6, 3.7),
        Word("ten.", 3.7, 4.0, conf=0.4),
    )
    transcript = Transcript(
        (Segment("agent", 1.0, 4.0, "Sorry about that. Your balance is ten.", words),), 5.0
    )
    first, second = agent_sentences(transcript)
    assert (first.text, first.start, first.end) == ("Sorry about that.", 1.0, 2.0)
    assert (second.start, second.end) == (3.0, 4.0)
    assert second.conf == pytest.approx((1.0 + 1.0 + 1.0 + 0.4) / 4)  # mean, like phrase evidence


def test_malformed_intent_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "intents.tsv"
    bad.write_text("label\ttext\nrude\tcalm down\nrude\n")
    with pytest.raises(ScriptError, match=r"intents\.tsv:3"):
        read_intents([bad])


def test_asr_readings_teach_the_garbled_forms_and_version_the_model(intents: IntentModel) -> None:
    written = Path(str(resources.files("qa").joinpath("data", DEFAULT_DATA)))
    written_only = train_intents([written])
    # tiny.en hears "calm down" as "come down" over a phone line: the readings make that a confident hit
    threshold = Settings().intent_threshold
    assert written_only.classify(["come down"])[0][1] < threshold
    [(label, probability)] = intents.classify(["come down"])
    assert label == "rude" and probability >= threshold
    assert intents.name != written_only.name  # the readings are part of the model's version


def test_a_loose_phrase_match_in_a_sentence_the_model_calls_harmless_is_dropped(intents: IntentModel) -> None:
    sympathy = make_transcript([("agent", 1.0, 4.0, "I'm so sorry you have had to deal with this.")])
    remark = make_transcript([("agent", 1.0, 4.0, "Well, deal with it.")])
    assert _analyze(sympathy, None).violations  # "deal with (this)" is close to "deal with it"
    assert _analyze(sympathy, intents).violations == []
    assert [v.category for v in _analyze(remark, intents).violations] == ["rude"]
