"""The learned sentence layer: paraphrases nobody listed are caught; ordinary agent speech is never a
certain violation; certainty is measured on held-out folds; the artifact is versioned."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from callqa.pipeline.qa_models import intent_model, shared_embedder
from callqa.settings import Settings
from qa.analysis import analyze_transcript
from qa.exceptions import ScriptError, StaleModelError
from qa.intent_evidence import ModelMatch
from qa.intent_model import ELEMENT_RULE, IntentModel, data_version, load_intents, read_elements, read_intents
from qa.intents import IntentClassifier, agent_sentences, normalized
from qa.intents_calibration import CALIBRATION_RULE
from qa.intents_certainty import CERTAIN_PRECISION, CERTAINTY_REPEATS, NEVER
from qa.phrases import find_violations, load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from tests.qa.helpers import DEAD_AIR_MIN_S, make_transcript
from transcription.recognizer import Segment, Transcript, Word

THRESHOLD = Settings().intent_threshold


def _analyze(transcript: Transcript, intents: IntentModel | None):  # type: ignore[no-untyped-def]
    return analyze_transcript(
        transcript,
        load_script(None, company="Blue Harbor Bank"),
        load_forbidden_phrases(None),
        load_empathy_phrases(None),
        sentiment_model=VaderSentiment(),
        intent_model=intents,
        intent_threshold=THRESHOLD,
        dead_air_min_s=DEAD_AIR_MIN_S,
    )


def _unseen(sentence: str) -> str:
    assert normalized(sentence) not in read_intents(None)[0], "a paraphrase test must use unseen wording"
    return sentence


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Honestly, the warehouse messed this up, not me.", "blame_shifting"),
        ("Frankly that's the shipping firm's headache, not ours, so ring them.", "blame_shifting"),
        ("Well, you ought to have read the small print.", "blame_customer"),
        ("Oh for heaven's sake, will you stop talking over me.", "rude"),
        ("I'm sorry, I can hear this has been really hard for you.", "empathy"),
        ("Could you confirm the postcode on the account?", "none"),
        ("Let me put you through to our loans team, they'll be able to sort that out.", "none"),
    ],
)
def test_classifies_paraphrases_it_was_not_trained_on(
    intents: IntentModel, sentence: str, label: str
) -> None:
    [hit] = intents.classify([_unseen(sentence)])
    assert hit.label == label
    assert hit.probability >= THRESHOLD


@pytest.mark.parametrize(
    "offer",
    [
        "Can I be of any further assistance today?",
        "Anything at all I can still help you with?",
        "Is there something more I could do for you this afternoon?",
        "Was there anything else I could assist you with?",
    ],
)
def test_an_offer_of_help_is_never_a_certain_violation(intents: IntentModel, offer: str) -> None:
    transcript = make_transcript([("agent", 1.0, 4.0, _unseen(offer))])
    assert [v for v in _analyze(transcript, intents).violations if v.state == "fail"] == []
    [hit] = intents.classify([offer])
    assert hit.label == "none" and hit.certain


def test_paraphrased_violation_is_caught_with_model_evidence(intents: IntentModel) -> None:
    transcript = make_transcript(
        [
            ("agent", 0.5, 4.0, "Good morning, Blue Harbor Bank, Dana speaking."),
            ("caller", 4.5, 7.0, "My card was charged twice."),
            ("agent", 8.0, 11.0, "Honestly, the warehouse messed this up, not me."),
        ]
    )
    assert _analyze(transcript, None).violations == []
    [violation] = _analyze(transcript, intents).violations
    assert (violation.category, violation.source) == ("blame_shifting", "model")
    assert (violation.start, violation.end) == pytest.approx((8.0, 11.0))
    [hit] = intents.classify([violation.text])
    assert violation.state == ("fail" if hit.certain else "uncertain")
    assert _analyze(transcript, intents).intent_model.startswith("intent-minilm:")


def test_a_model_hit_below_its_certainty_point_is_uncertain_with_the_reason() -> None:
    def hit(probability: float, certain_at: float) -> ModelMatch:
        text = "pipe down and quit yapping"
        return ModelMatch("model:rude", text, 1.0, 2.0, probability * 100, 0, 0.9, -1, -1, certain_at)

    transcript = make_transcript([("agent", 1.0, 2.0, "pipe down and quit yapping")])
    forbidden = load_forbidden_phrases(None)
    [below] = find_violations(transcript, forbidden, {"rude": [hit(0.6, 0.8)]})
    [above] = find_violations(transcript, forbidden, {"rude": [hit(0.85, 0.8)]})
    [never] = find_violations(transcript, forbidden, {"rude": [hit(0.99, NEVER)]})
    assert (below.state, above.state, never.state) == ("uncertain", "fail", "uncertain")
    assert "0.60" in below.note and "0.80" in below.note
    assert "never certain" in never.note


def test_a_listed_phrase_is_reported_once_not_again_by_the_model(intents: IntentModel) -> None:
    transcript = make_transcript([("agent", 1.0, 3.0, "That is not my department.")])
    violations = _analyze(transcript, intents).violations
    assert [(v.category, v.source) for v in violations] == [("blame_shifting", "phrase")]


def test_polite_transfers_holds_and_routine_talk_raise_nothing(intents: IntentModel) -> None:
    transcript = make_transcript(
        [
            ("agent", 0.5, 4.0, "Thank you for calling Blue Harbor Bank, this is Dana."),
            ("agent", 5.0, 9.0, "I'll transfer you to billing, who can fix that."),
            ("agent", 10.0, 13.0, "Please hold for a moment while I check your balance."),
            ("agent", 14.0, 17.0, "I'll stay on the line until my colleague picks up."),
            ("agent", 18.0, 21.0, "Is there anything else I can do for you today?"),
        ]
    )
    analysis = _analyze(transcript, intents)
    assert analysis.violations == []
    assert analysis.empathy == []


def test_the_intent_model_pools_its_certainty_points_over_fold_shuffles(intents: IntentModel) -> None:
    clf = intents.classifier
    assert clf.repeats == CERTAINTY_REPEATS > 1
    assert len(clf.cv_truth_) == CERTAINTY_REPEATS * intents.n_samples
    assert intents.certainty_rule == f"{clf.certainty_rule} {ELEMENT_RULE} {CALIBRATION_RULE}"
    assert clf.certainty_rule != IntentClassifier().certainty_rule


def test_the_element_readers_pool_their_certainty_points_over_fold_shuffles(intents: IntentModel) -> None:
    for reader in intents.elements.values():
        assert reader.repeats == CERTAINTY_REPEATS
        assert len(reader.cv_truth_) == CERTAINTY_REPEATS * len(read_elements().texts)


def test_trained_certainty_points_hold_on_the_held_out_folds(intents: IntentModel) -> None:
    clf = intents.classifier
    truth = clf.cv_truth_
    for label in ("blame_customer", "blame_shifting", "rude"):
        point = clf.certain_at_[label]
        assert point > THRESHOLD  # a reported hit is not automatically certain
        kept = (clf.cv_predicted_ == label) & (clf.cv_probability_ >= point)
        if point < NEVER:
            assert (truth[kept] == label).mean() >= CERTAIN_PRECISION


def test_trained_agreement_points_hold_on_the_held_out_folds(intents: IntentModel) -> None:
    # The model and the word reader agreeing is certain only where it was right often enough held out.
    clf = intents.classifier
    assert clf.second_reader and len(clf.cv_reader_) == len(clf.cv_truth_)
    both = np.minimum(clf.cv_probability_, clf.cv_reader_)
    for label in ("blame_customer", "blame_shifting", "rude"):
        point = clf.agree_at_[label]
        assert point > THRESHOLD
        kept = (clf.cv_predicted_ == label) & (both >= point)
        if point < NEVER:
            assert (clf.cv_truth_[kept] == label).mean() >= CERTAIN_PRECISION


def test_the_estimator_follows_the_scikit_learn_contract(intents: IntentModel) -> None:
    fresh = clone(intents.classifier)
    assert set(fresh.get_params()) == {
        "C",
        "tfidf_weight",
        "method",
        "folds",
        "random_state",
        "prevalence",
        "repeats",
        "second_reader",
    }
    assert not hasattr(fresh, "model_")
    rng = np.random.default_rng(0)
    vectors = np.vstack([rng.normal(0, 1, (30, 4)), rng.normal(3, 1, (30, 4))])
    texts = [f"thanks {i}" for i in range(30)] + [f"whatever {i}" for i in range(30)]
    X = list(zip(texts, vectors, strict=True))
    y = np.array(["none"] * 30 + ["rude"] * 30)
    fitted = IntentClassifier(folds=3, repeats=2).fit(X, y)
    assert fitted is not None and set(fitted.predict(X[:5])) == {"none"}
    assert fitted.predict_proba(X).shape == (60, 2)
    assert len(fitted.cv_truth_) == len(fitted.cv_probability_) == 120  # each row once per shuffle


def test_artifact_round_trip_classifies_the_same(intents: IntentModel, tmp_path: Path) -> None:
    path = tmp_path / "models" / "intents.joblib"
    intents.save(path)
    loaded = load_intents(path, embedder=intents.embedder)
    texts = ["Pipe down and let me finish.", "Your refund has gone through."]
    assert loaded.classify(texts) == intents.classify(texts)
    assert (loaded.name, loaded.certain_at) == (intents.name, intents.certain_at)
    assert loaded.embedding_model == intents.embedder.model_id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("data_sha256", "0" * 64, "data"),
        ("sklearn_version", "0.1", "scikit-learn"),
        ("embedding_model", "other-model:123", "embedding model"),
        ("certainty_rule", "point estimate", "certainty rule"),
    ],
)
def test_a_stale_artifact_is_refused_and_the_pipeline_refits_it(
    intents: IntentModel, tmp_path: Path, field: str, value: str, message: str
) -> None:
    path = tmp_path / "intents.joblib"
    intents.save(path)
    state = joblib.load(path)
    state[field] = value
    joblib.dump(state, path)
    with pytest.raises(StaleModelError, match=rf"{message}.*callqa train intents"):
        load_intents(path, embedder=intents.embedder)
    refitted = intent_model(Settings(intent_model_path=path))
    assert isinstance(refitted, IntentModel) and refitted.data_sha256 == intents.data_sha256
    assert load_intents(path, embedder=shared_embedder()).name == intents.name  # saved for the next start


def test_asr_readings_teach_the_garbled_forms_and_version_the_model(intents: IntentModel) -> None:
    # tiny.en hears "calm down" as "come down" over a phone line: the readings make that a hit
    [hit] = intents.classify(["come down"])
    assert hit.label == "rude" and hit.probability >= THRESHOLD
    data = read_intents(None)
    assert intents.n_samples == len(data.texts) > len(set(data.groups))  # readings share their group
    assert intents.data_sha256 == data_version()  # the intent sentences and the script-element sentences


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


def test_a_loose_phrase_match_in_a_sentence_the_model_calls_harmless_is_dropped(intents: IntentModel) -> None:
    sympathy = make_transcript([("agent", 1.0, 4.0, "I'm so sorry you have had to deal with this.")])
    remark = make_transcript([("agent", 1.0, 4.0, "Well, deal with it.")])
    assert _analyze(sympathy, None).violations  # "deal with (this)" is close to "deal with it"
    assert _analyze(sympathy, intents).violations == []
    assert [v.category for v in _analyze(remark, intents).violations] == ["rude"]
