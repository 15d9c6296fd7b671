"""A second, independent reader of agent sentences: their words alone, without the sentence embedding.

The intent classifier (`qa.intents.IntentClassifier`) reads a sentence mostly through its MiniLM embedding,
and its probability alone has not been evidence enough to state a forbidden remark without a person: pooled
over fold shuffles its held-out precision at call prevalence never clears the certainty bound, and on an
unseen call set only about two in three of its hits at ≥ 0.9 were right. This reader sees the same
training sentences through another representation — word (1–2) and character (2–5) TF-IDF n-grams under a
calibrated logistic regression — so where the embedding carries an ordinary sentence near a remark, the
words usually do not follow. The intent classifier measures on held-out folds from which probability the
two readings agreeing on a category is right often enough to be certain (`IntentClassifier.agree_at_`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion


class WordReader(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Calibrated logistic regression over word and character n-grams of each (text, embedding) pair's
    text; the embedding is ignored. scikit-learn estimator contract; probabilities (0–1) per class in
    `classes_` order (sorted labels, as the intent classifier's)."""

    def __init__(self, C: float = 4.0, method: str = "sigmoid", folds: int = 3) -> None:
        self.C = C
        self.method = method
        self.folds = folds

    def fit(
        self, X: Sequence[tuple[str, Any]], y: Any, sample_weight: np.ndarray | None = None
    ) -> WordReader:
        texts = [text for text, _ in X]
        self.features_ = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ]
        ).fit(texts)
        linear = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)
        self.model_ = CalibratedClassifierCV(linear, method=self.method, cv=self.folds)
        self.model_.fit(self.features_.transform(texts), y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Sequence[tuple[str, Any]]) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self.features_.transform([text for text, _ in X])))

    def predict(self, X: Sequence[tuple[str, Any]]) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])
