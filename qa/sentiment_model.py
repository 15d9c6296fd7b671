"""A scikit-learn sentiment classifier for call-center utterances, and its versioned artifact.

Features: word and character n-grams (TF-IDF, robust to ASR misspellings), lexicon cues (VADER's scores,
negation, punctuation) so that words never seen in training still carry polarity, and the sentence's
all-MiniLM-L6-v2 embedding (`qa.embeddings`), which carries a mood across wordings the data never used
("I'm fed up, this keeps happening"). Trained on `qa/data/sentiment_en.tsv`, utterances written for this
project (no third-party corpus is shipped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from qa.artifacts import save_artifact
from qa.embeddings import SentenceEmbedder, featurize
from qa.exceptions import ScriptError, StaleModelError
from qa.intents import Featurized
from qa.labelled import read_tsv
from qa.sentiment import Label
from qa.sentiment_zh import ChineseSentimentClassifier

DEFAULT_DATA = "sentiment_en.tsv"
PACKAGED_DATA = {"en": DEFAULT_DATA, "zh": "sentiment_zh.tsv"}
"""The packaged training file per language that has a sentiment model."""
_NEGATION = re.compile(
    r"\b(not|no|never|nothing|nobody|can't|cannot|won't|don't|didn't|isn't|wasn't)\b|n't\b"
)
EMBEDDING_WEIGHT = 1.0
"""Weight of the sentence embedding beside the TF-IDF blocks (weight 1 each). Chosen by 5-fold
cross-validation on the training file alone (accuracy: without 0.896, 0.5 → 0.917, 1 → 0.925, 2 → 0.913,
3 → 0.913)."""
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


class _Texts(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The utterances of featurized input, for the text feature blocks."""

    def fit(self, X: Featurized, y: Any = None) -> _Texts:
        return self

    def transform(self, X: Featurized) -> list[str]:
        return [text for text, _ in X]


class _Embeddings(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The embeddings of featurized input, as one dense block."""

    def fit(self, X: Featurized, y: Any = None) -> _Embeddings:
        return self

    def transform(self, X: Featurized) -> np.ndarray:
        return np.vstack([vector for _, vector in X])


_VADER: SentimentIntensityAnalyzer | None = None


def _vader() -> SentimentIntensityAnalyzer:
    global _VADER
    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    return _VADER


class CallSentimentClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """pos/neu/neg classifier of featurized utterances (`featurize`; scikit-learn estimator contract:
    params-only init, fit returns self)."""

    def __init__(
        self,
        C: float = 4.0,
        lexicon_weight: float = 2.0,
        max_char_ngram: int = 5,
        embedding_weight: float = EMBEDDING_WEIGHT,
    ) -> None:
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.max_char_ngram = max_char_ngram
        self.embedding_weight = embedding_weight

    def fit(self, X: Featurized, y: Sequence[str]) -> CallSentimentClassifier:
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, self.max_char_ngram), sublinear_tf=True)
        features = FeatureUnion(
            [
                ("words", make_pipeline(_Texts(), TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))),
                ("chars", make_pipeline(_Texts(), chars)),
                ("lexicon", make_pipeline(_Texts(), LexiconFeatures())),
                ("embedding", _Embeddings()),
            ],
            transformer_weights={
                "words": 1.0,
                "chars": 1.0,
                "lexicon": self.lexicon_weight,
                "embedding": self.embedding_weight,
            },
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

    def predict(self, X: Featurized) -> np.ndarray:
        return np.asarray(self.pipeline_.predict(list(X)))

    def predict_proba(self, X: Featurized) -> np.ndarray:
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
    """A trained classifier with its provenance; fits the `SentimentModel` protocol. An English model
    reads sentence embeddings from `embedder` (never saved: the artifact names its `embedding_model`)."""

    model: CallSentimentClassifier | ChineseSentimentClassifier
    data_sha256: str
    sklearn_version: str
    trained_at: str
    n_samples: int
    language: str = "en"
    embedding_model: str = ""
    embedder: SentenceEmbedder | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        kind = "sklearn-logreg-minilm" if self.language == "en" else f"sklearn-logreg-{self.language}"
        return f"{kind}:{self.data_sha256[:12]}"

    def predict(self, texts: Sequence[str]) -> list[Label]:
        if not texts:
            return []
        if isinstance(self.model, CallSentimentClassifier):
            assert self.embedder is not None, "an English sentiment model is built with its embedder"
            return [str(label) for label in self.model.predict(featurize(texts, self.embedder))]  # type: ignore[misc]
        return [str(label) for label in self.model.predict(texts)]  # type: ignore[misc]

    def save(self, path: Path) -> None:
        """Write the artifact atomically (`qa.artifacts.save_artifact`), without the embedder."""
        save_artifact({k: v for k, v in self.__dict__.items() if k != "embedder"}, path)


def _packaged(language: str) -> str:
    if language not in PACKAGED_DATA:
        raise ScriptError(f"no sentiment model for language {language!r}; known: {sorted(PACKAGED_DATA)}")
    return PACKAGED_DATA[language]


def train_sentiment(
    data: Path | None = None,
    *,
    language: str = "en",
    embedder: SentenceEmbedder | None = None,
    **params: Any,
) -> SklearnSentiment:
    """Fit the classifier for `language` on labelled utterances (default: its packaged training file).
    English reads embeddings from `embedder` (default: the packaged MiniLM); Chinese needs none."""
    texts, labels, digest = read_labelled(data, language)
    now = datetime.now(UTC).isoformat()
    if language == "zh":
        chinese = ChineseSentimentClassifier(**params).fit(texts, labels)
        return SklearnSentiment(chinese, digest, sklearn.__version__, now, len(texts), language)
    embedder = embedder or SentenceEmbedder()
    model = CallSentimentClassifier(**params).fit(featurize(texts, embedder), labels)
    return SklearnSentiment(
        model, digest, sklearn.__version__, now, len(texts), language, embedder.model_id, embedder
    )


def load_sentiment(path: Path, *, embedder: SentenceEmbedder | None = None) -> SklearnSentiment:
    """Load a saved artifact (an English one reads embeddings from `embedder`, default: the packaged
    MiniLM); StaleModelError for one trained with another scikit-learn version or embedding model
    (retrain instead)."""
    state = joblib.load(path)
    if state.get("sklearn_version") != sklearn.__version__:
        raise StaleModelError(
            f"{path}: trained with scikit-learn {state.get('sklearn_version')}, "
            f"running {sklearn.__version__}; run `callqa train sentiment` again"
        )
    if state.get("language", "en") != "en":
        return SklearnSentiment(**state)
    embedder = embedder or SentenceEmbedder()
    if state.get("embedding_model") != embedder.model_id:
        raise StaleModelError(
            f"{path}: trained with embedding model {state.get('embedding_model') or 'none'}, "
            f"running {embedder.model_id}; run `callqa train sentiment` again"
        )
    return SklearnSentiment(**state, embedder=embedder)
