"""Sentiment of Chinese call-center utterances: character n-grams and a few cues, scikit-learn.

VADER and the English word features know no Chinese. Chinese has no spaces, so words are read as
character 1–3-grams of the canonical text (`qa.text`: simplified characters, digits), which hold most
two-character words (投诉, 失望, 满意) and survive a misheard character; beside them a few dense cues that
carry polarity past unseen words: exclamation and question marks, negation (不 没 别 未 无). Degree words
(非常, 特别, 太, 很, …) are left out of both: they have no polarity of their own. Trained on
`qa/data/sentiment_zh.tsv`, caller and agent utterances written for this project; the versioned artifact
is `qa.sentiment_model.SklearnSentiment` with language "zh".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from qa.exceptions import ScriptError
from qa.sentiment import Label
from qa.text import canonical

_NEGATION = re.compile("[不没别未无]")


_DEGREE_WORDS = re.compile("非常|特别|十分|极其|真的|太|很")
"""Words of degree ("very", "so", "really"): they strengthen whatever follows and carry no polarity of their
own, but as character n-grams they took the polarity of the sentences they happened to occur in (非常 is
mostly in thanks, so "我非常生气", "I am very angry", read positive), and a cue of their presence, weighed
once whatever follows, learns the same accident. So the model reads "我非常生气" as "我生气"."""


def _canonical_lower(text: str) -> str:
    """The text the character n-grams are read from: canonical, lower case, without degree words."""
    return _DEGREE_WORDS.sub("", canonical(text).lower())


class ChineseCues(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Dense cues per text: '!' present, ends with '?', negation."""

    def fit(self, X: Sequence[str], y: Any = None) -> ChineseCues:
        self.n_features_out_ = 3
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        rows = []
        for text in X:
            plain = canonical(text).strip()
            rows.append(
                [
                    float("!" in plain),
                    float(plain.endswith("?")),
                    # 特别 ("especially") holds 别 ("don't"): negation is looked for without degree words
                    float(bool(_NEGATION.search(_DEGREE_WORDS.sub("", plain)))),
                ]
            )
        return np.asarray(rows, dtype=np.float64)


class ChineseSentimentClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """pos/neu/neg classifier for Chinese (scikit-learn estimator contract)."""

    def __init__(self, C: float = 4.0, cue_weight: float = 1.0, max_ngram: int = 3) -> None:
        self.C = C
        self.cue_weight = cue_weight
        self.max_ngram = max_ngram

    def fit(self, X: Sequence[str], y: Sequence[str]) -> ChineseSentimentClassifier:
        features = FeatureUnion(
            [
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char",
                        ngram_range=(1, self.max_ngram),
                        sublinear_tf=True,
                        preprocessor=_canonical_lower,
                    ),
                ),
                ("cues", ChineseCues()),
            ],
            transformer_weights={"chars": 1.0, "cues": self.cue_weight},
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


class SnowNLPSentiment:
    """The baseline for Chinese: SnowNLP's review-trained probability of positive (0–1), below `low`
    negative, above `high` positive. The cut points (0.25, 0.65) are the ones with the best macro-F1 on
    the packaged training file (grid in 0.05 steps), so the baseline gets the same data as the model.
    SnowNLP is a measurement tool here (dev dependency), never used in QA."""

    name = "snownlp"

    def __init__(self, low: float = 0.25, high: float = 0.65) -> None:
        self.low = low
        self.high = high

    def predict(self, texts: Sequence[str]) -> list[Label]:
        try:
            from snownlp import SnowNLP
        except ImportError as exc:
            raise ScriptError(
                "the SnowNLP baseline needs the dev extra: pip install 'snownlp>=0.12'"
            ) from exc
        labels: list[Label] = []
        for text in texts:
            p = float(SnowNLP(text).sentiments) if text.strip() else 0.5
            labels.append("neg" if p < self.low else "pos" if p > self.high else "neu")
        return labels
