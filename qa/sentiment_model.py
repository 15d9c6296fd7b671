"""A scikit-learn sentiment classifier for call-center utterances, and its versioned artifact.

Features: word and character n-grams (TF-IDF, robust to ASR misspellings) plus lexicon cues (VADER's
scores, negation, punctuation) so that words never seen in training still carry polarity. Trained on
`qa/data/sentiment_en.tsv`, utterances written for this project (no third-party corpus is shipped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from qa.exceptions import ScriptError
from qa.labelled import read_tsv
from qa.sentiment import Label
from qa.sentiment_zh import ChineseSentimentClassifier

DEFAULT_DATA = "sentiment_en.tsv"
PACKAGED_DATA = {"en": DEFAULT_DATA, "zh": "sentiment_zh.tsv"}
"""The packaged training file per language that has a sentiment model."""
_NEGATION = re.compile(
    r"\b(not|no|never|nothing|nobody|can't|cannot|won't|don't|didn't|isn't|wasn't)\b|n't\b"
)
_SARCASM_OPENER = re.compile(r"^\s*(oh\s+)?(great|brilliant|fantastic|perfect|lovely|wonderful|well)\b")
_LETDOWN = re.compile(r"\b(again|another|still|yet)\b")


class LexiconFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Dense cues per text: VADER neg/neu/pos/compound, negation, '!' and '?', ironic praise."""

    def fit(self, X: Sequence[str], y: Any = None) -> LexiconFeatures:
        self.n_features_out_ = 8
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        vader = _vader()
        rows = []
        for text in X:
            s = vader.polarity_scores(text)
            lower = text.lower()
            # "Oh great, another delay": praise words opening a complaint about repetition read as negative.
            ironic = bool(_SARCASM_OPENER.search(lower) and _LETDOWN.search(lower))
            rows.append(
                [
                    s["neg"],
                    s["neu"],
                    s["pos"],
                    s["compound"],
                    float(bool(_NEGATION.search(lower))),
                    float(text.count("!") > 0),
                    float(text.strip().endswith("?")),
                    float(ironic),
                ]
            )
        return np.asarray(rows, dtype=np.float64)


_VADER: SentimentIntensityAnalyzer | None = None


def _vader() -> SentimentIntensityAnalyzer:
    global _VADER
    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    return _VADER


class CallSentimentClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """pos/neu/neg classifier (scikit-learn estimator contract: params-only init, fit returns self)."""

    def __init__(self, C: float = 4.0, lexicon_weight: float = 2.0, max_char_ngram: int = 5) -> None:
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.max_char_ngram = max_char_ngram

    def fit(self, X: Sequence[str], y: Sequence[str]) -> CallSentimentClassifier:
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, self.max_char_ngram), sublinear_tf=True
                    ),
                ),
                ("lexicon", LexiconFeatures()),
            ],
            transformer_weights={"words": 1.0, "chars": 1.0, "lexicon": self.lexicon_weight},
        )
        self.pipeline_ = Pipeline(
            [
                ("features", features),
                ("clf", LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)),
            ]
        )
        self.pipeline_.fit(list(X), list(y))
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return np.asarray(self.pipeline_.predict(list(X)))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        return np.asarray(self.pipeline_.predict_proba(list(X)))


def read_labelled(path: Path | None, language: str = "en") -> tuple[list[str], list[str], str]:
    """(texts, labels, sha256) from a `label<TAB>speaker<TAB>text` file (default: the packaged data for
    `language`)."""
    rows, digest, source = read_tsv(path, _packaged(language))
    texts, labels = [], []
    for lineno, row in rows:
        if len(row) != 3 or row[0] not in ("pos", "neu", "neg"):
            raise ScriptError(f"{source}:{lineno}: expected label<TAB>speaker<TAB>text")
        labels.append(row[0])
        texts.append(row[2])
    return texts, labels, digest


@dataclass
class SklearnSentiment:
    """A trained classifier with its provenance; fits the `SentimentModel` protocol."""

    model: CallSentimentClassifier | ChineseSentimentClassifier
    data_sha256: str
    sklearn_version: str
    trained_at: str
    n_samples: int
    language: str = "en"

    @property
    def name(self) -> str:
        kind = "sklearn-logreg" if self.language == "en" else f"sklearn-logreg-{self.language}"
        return f"{kind}:{self.data_sha256[:12]}"

    def predict(self, texts: Sequence[str]) -> list[Label]:
        if not texts:
            return []
        return [str(label) for label in self.model.predict(texts)]  # type: ignore[misc]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.__dict__, path)


def _packaged(language: str) -> str:
    if language not in PACKAGED_DATA:
        raise ScriptError(f"no sentiment model for language {language!r}; known: {sorted(PACKAGED_DATA)}")
    return PACKAGED_DATA[language]


def train_sentiment(data: Path | None = None, *, language: str = "en", **params: Any) -> SklearnSentiment:
    """Fit the classifier for `language` on labelled utterances (default: its packaged training file)."""
    texts, labels, digest = read_labelled(data, language)
    estimator = ChineseSentimentClassifier if language == "zh" else CallSentimentClassifier
    model = estimator(**params).fit(texts, labels)
    return SklearnSentiment(
        model, digest, sklearn.__version__, datetime.now(UTC).isoformat(), len(texts), language
    )


def load_sentiment(path: Path) -> SklearnSentiment:
    """Load a saved artifact; refuses one trained with another scikit-learn version (retrain instead)."""
    state = joblib.load(path)
    if state.get("sklearn_version") != sklearn.__version__:
        raise ScriptError(
            f"{path}: trained with scikit-learn {state.get('sklearn_version')}, "
            f"running {sklearn.__version__}; run `callqa train sentiment` again"
        )
    return SklearnSentiment(**state)
