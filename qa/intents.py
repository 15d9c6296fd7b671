"""A learned layer over the phrase lists: a calibrated classifier of agent sentences over sentence embeddings.

Phrase lists catch the wording they list (and its ASR-garbled forms, via fuzzy matching); they miss
paraphrases nobody wrote down ("that's billing's problem, not mine"). This classifier labels each agent
sentence as one of the forbidden categories, `empathy`, or `none` (ordinary agent speech: script phrases,
offers of help, holds, transfers that keep ownership, account talk, explanations). It reads meaning, not
words: sentences are embedded by all-MiniLM-L6-v2 (`qa.embeddings`) and a logistic regression on the
vectors is calibrated on held-out folds. Each category has a certainty point (`qa.intents_certainty`):
the lowest probability at which a 95 % lower bound of the category's cross-validated precision stays
≥ CERTAIN_PRECISION, for the model alone and for the model agreeing with a second reader of the words
(`qa.intents_reader`). Any other hit above the reporting threshold is evidence, stated uncertain.

Training data: `qa/data/agent_intents_en.tsv`, sentences written for this project.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion
from threadpoolctl import threadpool_limits

from qa.intent_evidence import ModelMatch
from qa.intents_certainty import CERTAINTY_RULE, NEVER, certainty_points
from qa.intents_reader import WordReader
from qa.matching import Match, normalize
from transcription.recognizer import Segment, Transcript, Word

NONE = "none"
_SENTENCE_END = re.compile(r"[.?!。？！]$")
# Chinese writes no space after its sentence punctuation.
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+|(?<=[。？！])\s*")


@dataclass(frozen=True)
class Intent:
    """The model's verdict on one sentence: best label, its calibrated probability (0–1) and the label's
    certainty point (0–1; NEVER when the label is never certain)."""

    label: str
    probability: float
    certain_at: float = NEVER
    reader: float | None = None
    """The word reader's probability (0–1) for `label` (`qa.intents_reader`); None without a reader."""
    agree_at: float = NEVER
    """Point (0–1) from which the model and the word reader both at least this sure of `label` is
    certain (held-out precision ≥ CERTAIN_PRECISION); NEVER when agreement never is."""
    certain_on: str = ""
    """What `certain_at` was measured on, for the reviewer (`qa.intents_calibration`); "" when training."""
    category_sure: bool = True
    """False when `certain_at` is a point for "a remark of some category was said" (`qa.intents_calibration`):
    above it that is certain, and `label` is only the likeliest category."""

    @property
    def certain(self) -> bool:
        """The model alone may state this label (held-out precision ≥ CERTAIN_PRECISION from here)."""
        return self.probability >= self.certain_at


Featurized = Sequence[tuple[str, np.ndarray]]
"""Classifier input: per sentence, its normalized text and its embedding (384 floats)."""


class SentenceFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The embedding beside word (1–2) and character (2–5) TF-IDF n-grams × `tfidf_weight`.

    The embedding carries meaning across wordings; character n-grams carry the recogniser's garbled forms
    ("come down" for "calm down"), which an embedding of the garbled words loses.
    """

    def __init__(self, tfidf_weight: float = 1.0) -> None:
        self.tfidf_weight = tfidf_weight

    def fit(self, X: Featurized, y: Any = None) -> SentenceFeatures:
        self.tfidf_ = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ]
        ).fit([text for text, _ in X])
        return self

    def transform(self, X: Featurized) -> sp.csr_matrix:
        vectors = sp.csr_matrix(np.vstack([vector for _, vector in X]))
        words = self.tfidf_.transform([text for text, _ in X])
        return sp.hstack([vectors, self.tfidf_weight * words]).tocsr()


class _LinearIntent(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression on SentenceFeatures (one estimator, so calibration folds refit both)."""

    def __init__(self, C: float = 4.0, tfidf_weight: float = 1.0) -> None:
        self.C = C
        self.tfidf_weight = tfidf_weight

    def fit(self, X: Featurized, y: Any, sample_weight: np.ndarray | None = None) -> _LinearIntent:
        self.features_ = SentenceFeatures(self.tfidf_weight).fit(X)
        self.clf_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)
        self.clf_.fit(self.features_.transform(X), y, sample_weight=sample_weight)
        self.classes_ = self.clf_.classes_
        return self

    def predict_proba(self, X: Featurized) -> np.ndarray:
        return np.asarray(self.clf_.predict_proba(self.features_.transform(X)))

    def decision_function(self, X: Featurized) -> np.ndarray:
        return np.asarray(self.clf_.decision_function(self.features_.transform(X)))

    def predict(self, X: Featurized) -> np.ndarray:
        return np.asarray(self.clf_.predict(self.features_.transform(X)))


class IntentClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Calibrated logistic regression over (text, embedding) pairs (see SentenceFeatures).

    scikit-learn estimator contract. `fit` also learns `certain_at_` (class → certainty point) from
    `folds`-fold cross-validated probabilities of the same calibrated model, with rows of one `groups`
    value (a sentence and its ASR readings) kept in one fold and false alarms counted as they would
    weigh at each class's `prevalence` in use (see certainty_points), pooled over `repeats` shuffles of
    the folds (seeds `random_state`, `random_state` + 1, …); `cv_truth_`, `cv_predicted_` and
    `cv_probability_` keep those held-out predictions for reports (each row once per shuffle).
    """

    def __init__(
        self,
        C: float = 4.0,
        tfidf_weight: float = 1.0,
        method: str = "sigmoid",
        folds: int = 5,
        random_state: int = 0,
        prevalence: Mapping[str, float] | None = None,
        repeats: int = 1,
        second_reader: bool = False,
    ) -> None:
        self.C = C
        self.tfidf_weight = tfidf_weight
        self.method = method
        self.folds = folds
        self.random_state = random_state
        self.prevalence = prevalence
        self.repeats = repeats
        self.second_reader = second_reader

    @property
    def certainty_rule(self) -> str:
        """How this classifier's certainty points are computed (kept in artifacts; see CERTAINTY_RULE)."""
        rule = CERTAINTY_RULE if self.repeats == 1 else f"{CERTAINTY_RULE} shuffles={self.repeats}"
        # The held-out probabilities the points come from depend on the regularisation too.
        rule = f"{rule} C={self.C:g}"
        return f"{rule} agreement=words" if self.second_reader else rule

    def _calibrated(self) -> CalibratedClassifierCV:
        base = _LinearIntent(C=self.C, tfidf_weight=self.tfidf_weight)
        return CalibratedClassifierCV(base, method=self.method, cv=self.folds)

    def fit(
        self,
        X: Featurized,
        y: Sequence[str] | np.ndarray,
        sample_weight: np.ndarray | None = None,
        groups: Sequence[int] | np.ndarray | None = None,
    ) -> IntentClassifier:
        X, labels = list(X), np.asarray(y)
        params: dict[str, Any] = {}
        if sample_weight is not None:
            params["sample_weight"] = np.asarray(sample_weight)
        row_groups = np.arange(len(X)) if groups is None else np.asarray(groups)
        readers: list[Any] = [self._calibrated()] + ([WordReader()] if self.second_reader else [])
        # One BLAS thread: these small fits run ~15x slower when threads contend for 2 busy cores.
        with threadpool_limits(1):
            # Every reader is held out on the same folds, so their readings of a row can be combined.
            held_out = [
                np.vstack(
                    [
                        cross_val_predict(
                            reader,
                            X,
                            labels,
                            groups=row_groups,
                            cv=StratifiedGroupKFold(
                                self.folds, shuffle=True, random_state=self.random_state + r
                            ),
                            method="predict_proba",
                            params=params,
                        )
                        for r in range(self.repeats)
                    ]
                )
                for reader in readers
            ]
            self.model_ = readers[0].fit(X, labels, **params)
            if self.second_reader:
                self.reader_ = readers[1].fit(X, labels, **params)
        self.classes_ = self.model_.classes_
        self.cv_truth_ = np.tile(labels, self.repeats)
        best = held_out[0].argmax(axis=1)
        self.cv_predicted_ = self.classes_[best]
        self.cv_probability_ = held_out[0].max(axis=1)
        self.certain_at_ = certainty_points(
            self.cv_truth_,
            self.cv_predicted_,
            self.cv_probability_,
            prevalence=self.prevalence,
            repeats=self.repeats,
        )
        if self.second_reader:
            # The word reader's probability of the model's label: both readings at least this sure.
            self.cv_reader_ = held_out[1][np.arange(len(best)), best]
            self.agree_at_ = certainty_points(
                self.cv_truth_,
                self.cv_predicted_,
                np.minimum(self.cv_probability_, self.cv_reader_),
                prevalence=self.prevalence,
                repeats=self.repeats,
            )
        return self

    def predict_proba(self, X: Featurized) -> np.ndarray:
        with threadpool_limits(1):
            return np.asarray(self.model_.predict_proba(list(X)))

    def predict(self, X: Featurized) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])

    def intents(self, X: Featurized) -> list[Intent]:
        """Best label, its probability and whether it is certain, per (text, embedding); with the word
        reader's probability of that label and the agreement point when the classifier has a reader."""
        X = list(X)
        probs = self.predict_proba(X)
        with threadpool_limits(1):
            words = self.reader_.predict_proba(X) if self.second_reader else None
        out = []
        for i, row in enumerate(probs):
            best = int(row.argmax())
            label = str(self.classes_[best])
            intent = Intent(label, float(row.max()), self.certain_at_.get(label, NEVER))
            if words is not None:
                intent = replace(
                    intent, reader=float(words[i, best]), agree_at=self.agree_at_.get(label, NEVER)
                )
            out.append(intent)
        return out


@dataclass(frozen=True)
class Sentence:
    """An agent sentence with its time span (s), mean word confidence (0–1) and segment index."""

    text: str
    start: float
    end: float
    conf: float
    segment: int


def speaker_sentences(transcript: Transcript, speaker: str) -> list[Sentence]:
    """`speaker`'s speech cut into sentences (at sentence punctuation when the engine gives it)."""
    sentences: list[Sentence] = []
    for index, seg in enumerate(transcript.segments):
        if seg.speaker != speaker:
            continue
        sentences.extend(_split(seg, index))
    return sentences


def agent_sentences(transcript: Transcript) -> list[Sentence]:
    """The agent's speech cut into sentences."""
    return speaker_sentences(transcript, "agent")


def _split(seg: Segment, index: int) -> list[Sentence]:
    if not seg.words:
        parts = [p for p in _SENTENCE_SPLIT.split(seg.text.strip()) if p]
        step = (seg.end - seg.start) / max(1, len(parts))
        return [
            Sentence(p, seg.start + i * step, seg.start + (i + 1) * step, seg.confidence, index)
            for i, p in enumerate(parts)
        ]
    out: list[Sentence] = []
    current: list[Word] = []
    for word in seg.words:
        current.append(word)
        if _SENTENCE_END.search(word.text.strip()):
            out.append(_sentence(current, index))
            current = []
    if current:
        out.append(_sentence(current, index))
    return out


def _sentence(words: list[Word], index: int) -> Sentence:
    text = " ".join(w.text.strip() for w in words)
    return Sentence(text, words[0].start, words[-1].end, sum(w.conf for w in words) / len(words), index)


def normalized(text: str) -> str:
    """The form the classifier reads (training data and calls alike): lower case, no punctuation."""
    return " ".join(normalize(text))


class SentenceClassifier(Protocol):
    """What QA needs of an intent model (`qa.intent_model.IntentModel`)."""

    @property
    def name(self) -> str: ...

    def classify(self, texts: Sequence[str]) -> list[Intent]: ...


def classify_sentences(transcript: Transcript, model: SentenceClassifier) -> list[tuple[Sentence, Intent]]:
    """Every agent sentence with the model's verdict on it."""
    sentences = agent_sentences(transcript)
    return list(zip(sentences, model.classify([s.text for s in sentences]), strict=True))


def find_intents(
    classified: Sequence[tuple[Sentence, Intent]],
    labels: Sequence[str],
    *,
    threshold: float,
) -> dict[str, list[Match]]:
    """Classified sentences (`classify_sentences`) put in one of `labels` with probability ≥ `threshold`
    (0–1), as `ModelMatch` evidence carrying their category's certainty point."""
    found: dict[str, list[Match]] = {}
    for sentence, intent in classified:
        if intent.label == NONE or intent.label not in labels or intent.probability < threshold:
            continue
        found.setdefault(intent.label, []).append(
            ModelMatch(
                phrase=f"model:{intent.label}",
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                score=round(intent.probability * 100, 1),
                segment=sentence.segment,
                mean_conf=sentence.conf,
                first_token=-1,
                last_token=-1,
                certain_at=intent.certain_at,
                reader=intent.reader,
                agree_at=intent.agree_at,
                certain_on=intent.certain_on,
                category_sure=intent.category_sure,
            )
        )
    return found
