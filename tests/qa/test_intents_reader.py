"""The word reader: a second reading of agent sentences from their words alone, and the certainty that
the model and the reader agreeing earns (measured on the same held-out folds)."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from qa.intent_evidence import AGREEMENT_MIN_CONF, ModelMatch
from qa.intents import IntentClassifier
from qa.intents_certainty import NEVER
from qa.intents_reader import WordReader
from qa.phrases import find_violations, load_forbidden_phrases
from tests.qa.helpers import make_transcript


def _data() -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    rng = np.random.default_rng(0)
    calm = [f"let me check the account for you number {i}" for i in range(30)]
    harsh = [f"stop interrupting me and listen number {i}" for i in range(30)]
    vectors = np.vstack([rng.normal(0, 1, (30, 4)), rng.normal(3, 1, (30, 4))])
    return list(zip(calm + harsh, vectors, strict=True)), np.array(["none"] * 30 + ["rude"] * 30)


def test_the_word_reader_reads_the_words_not_the_embedding() -> None:
    X, y = _data()
    reader = WordReader().fit(X, y)
    flipped = [(text, -vector) for text, vector in X]
    assert np.allclose(reader.predict_proba(X), reader.predict_proba(flipped))
    assert list(reader.predict([("please stop interrupting me", np.zeros(4))])) == ["rude"]
    assert set(clone(reader).get_params()) == {"C", "method", "folds"}


def test_agreement_points_come_from_the_same_held_out_folds() -> None:
    X, y = _data()
    clf = IntentClassifier(folds=3, repeats=2, second_reader=True).fit(X, y)
    assert len(clf.cv_reader_) == len(clf.cv_truth_) == 120
    assert set(clf.agree_at_) <= {"none", "rude"}
    [intent] = clf.intents([X[40]])
    assert intent.label == "rude" and intent.reader is not None and intent.reader > 0.5
    assert intent.agree_at == clf.agree_at_.get("rude", NEVER)
    assert "agreement=words" in clf.certainty_rule
    [alone] = IntentClassifier(folds=3).fit(X, y).intents([X[40]])
    assert alone.reader is None and alone.agree_at == NEVER


def _hit(probability: float, reader: float | None, conf: float) -> ModelMatch:
    text = "pipe down and quit yapping"
    return ModelMatch(
        "model:rude", text, 1.0, 2.0, probability * 100, 0, conf, -1, -1, NEVER, reader=reader, agree_at=0.8
    )


def test_a_remark_is_certain_where_the_model_and_the_word_reader_agree_over_clear_words() -> None:
    transcript = make_transcript([("agent", 1.0, 2.0, "pipe down and quit yapping")])
    forbidden = load_forbidden_phrases(None)

    def judged(probability: float, reader: float | None, conf: float):  # type: ignore[no-untyped-def]
        [violation] = find_violations(transcript, forbidden, {"rude": [_hit(probability, reader, conf)]})
        return violation

    agreed = judged(0.92, 0.85, 0.9)
    assert agreed.state == "fail"
    assert "word reader 0.85 agree" in agreed.note and "0.80" in agreed.note and "0.90" in agreed.note
    # The reader below the point, or words the recogniser guessed: a person looks, and is told why.
    doubted = judged(0.92, 0.7, 0.9)
    assert doubted.state == "uncertain" and "word reader 0.70" in doubted.note
    unsure = judged(0.92, 0.85, AGREEMENT_MIN_CONF - 0.1)
    assert unsure.state == "uncertain" and "confidence 0.70" in unsure.note
    assert judged(0.92, None, 0.9).state == "uncertain"
