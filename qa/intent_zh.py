"""The three don'ts (三不准) and empathy in Chinese agent sentences: a calibrated character n-gram classifier.

The English intent model reads all-MiniLM-L6-v2 embeddings, which know no Chinese. Chinese is read here by
character 1–3-grams (TF-IDF) of the canonical text (`qa.text`: simplified, digits), which carry Chinese
words without a segmenter and survive a misheard character; the rest is the English model's machinery
(`qa.intents.IntentClassifier`): probabilities calibrated on held-out folds and a certainty point per
category where cross-validated precision, counted at the rate a remark occurs in calls, reaches
CERTAIN_PRECISION. A hit below its point is evidence, stated uncertain.

Training data: `qa/data/agent_intents_zh.tsv`, sentences written for this project (labels as in English:
blame_customer 责怪客户, blame_shifting 推诿, rude 粗话/不耐烦, empathy, none). Script elements said in
other words than the phrase lists' (您还有别的事情要办吗 for 请问还有什么可以帮您) are read the same
way, one yes/no classifier per element but the salutation (PHRASE_ONLY), from
`qa/data/script_elements_zh.tsv` (see `qa.element_evidence`; an intent sentence not listed there says none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from qa.artifacts import save_artifact
from qa.exceptions import ScriptError, StaleModelError
from qa.intents import NONE, Featurized, Intent, IntentClassifier
from qa.intents_certainty import CALL_PREVALENCE, CERTAINTY_REPEATS, NEVER
from qa.labelled import add_saying_none, read_element_tsv, read_tsv
from qa.matching import normalize
from qa.phrases import CATEGORIES

DEFAULT_DATA = "agent_intents_zh.tsv"
ELEMENT_DATA = "script_elements_zh.tsv"
"""Script elements said in a sentence (`offer_help,thanks<TAB>text`, or `none`), as in English."""
PHRASE_ONLY = frozenset({"salutation"})
"""Elements of ELEMENT_DATA given no model: a Chinese salutation is a closed set of formulae (您好, 你好,
早上好 …, all in the script's phrase list), and character n-grams cannot tell an opening that has one from
the same opening without it: "这里是XX中心，27号为您服务" read 0.4–0.9 as a salutation on held-out folds
and on set B, passing greetings that lack it and doubting every FAIL."""
ELEMENT_C = 16.0
"""Inverse regularisation of the element readers (the remarks' classifier keeps 4.0): thanks for calling
differs from other thanks by two characters (谢谢您的来电 / 谢谢您), which need the larger weights to
separate; at 4.0 no held-out threshold kept thanks' precision at 0.95. At 16.0 offer and goodbye reach a
certainty point; thanks reached one (0.80) from one fold shuffle only: pooled over CERTAINTY_REPEATS, a
plain 谢谢您 reads up to 0.94 as thanks for calling, and no point holds at C 8–64, so a thanks the phrase
list does not match stays uncertain."""


def chinese_text(text: str) -> str:
    """What the classifier reads: canonical tokens run together (no punctuation, no spaces)."""
    return "".join(normalize(text))


class _CharIntent(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression on character 1–`max_ngram`-gram TF-IDF of `chinese_text` strings."""

    def __init__(self, C: float = 4.0, max_ngram: int = 3) -> None:
        self.C = C
        self.max_ngram = max_ngram

    def fit(self, X: Sequence[str], y: Any, sample_weight: np.ndarray | None = None) -> _CharIntent:
        self.features_ = TfidfVectorizer(analyzer="char", ngram_range=(1, self.max_ngram), sublinear_tf=True)
        self.clf_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)
        self.clf_.fit(self.features_.fit_transform(list(X)), y, sample_weight=sample_weight)
        self.classes_ = self.clf_.classes_
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        return np.asarray(self.clf_.predict_proba(self.features_.transform(list(X))))

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        return np.asarray(self.clf_.decision_function(self.features_.transform(list(X))))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return np.asarray(self.clf_.predict(self.features_.transform(list(X))))


class ChineseIntentClassifier(IntentClassifier):
    """`IntentClassifier` (calibration, certainty points) over `chinese_text` strings instead of
    (text, embedding) pairs; `tfidf_weight` is unused (there is no embedding to weigh it against)."""

    def _calibrated(self) -> CalibratedClassifierCV:
        return CalibratedClassifierCV(_CharIntent(C=self.C), method=self.method, cv=self.folds)


def _reader() -> ChineseIntentClassifier:
    """An unfitted element reader (one yes/no classifier per script element)."""
    return ChineseIntentClassifier(C=ELEMENT_C, repeats=CERTAINTY_REPEATS)


READER_RULE = _reader().certainty_rule
"""How the element readers' certainty points are computed."""
ZH_CERTAINTY_RULE = (
    f"{ChineseIntentClassifier(repeats=CERTAINTY_REPEATS).certainty_rule} elements: {READER_RULE}"
)
"""How the Chinese model's certainty points are computed: the remarks' classifier and the element readers,
each pooled over CERTAINTY_REPEATS fold shuffles as in English (`qa.intent_model.train_elements`); from
one shuffle, where unrelated rows happened to fall moved a point."""


def _as_input(texts: list[str]) -> Featurized:
    # IntentClassifier passes its input through untouched to the estimator `_calibrated` builds, which
    # here reads strings; its annotation names the English model's (text, embedding) pairs.
    return cast(Featurized, texts)


def read_chinese_intents(path: Path | None = None) -> tuple[list[str], list[str], str]:
    """(classifier texts, labels, sha256) of a `label<TAB>text` file (default: the packaged sentences)."""
    rows, digest, source = read_tsv(path, DEFAULT_DATA)
    texts, labels = [], []
    for lineno, row in rows:
        if len(row) != 2 or not row[0] or not row[1].strip():
            raise ScriptError(f"{source}:{lineno}: expected label<TAB>text")
        texts.append(chinese_text(row[1]))
        labels.append(row[0])
    return texts, labels, digest


def read_chinese_elements(
    path: Path | None = None, intents: Path | None = None
) -> tuple[list[str], list[frozenset[str]], str]:
    """(classifier texts, elements each says, sha256 over both files) of the element sentences (`path`,
    default the packaged ELEMENT_DATA) and, saying none, the intent sentences (`intents`) not listed."""
    texts, elements, digest = read_element_tsv(path, ELEMENT_DATA, chinese_text, none=NONE)
    others, _, others_digest = read_chinese_intents(intents)
    add_saying_none(texts, elements, others)
    return texts, elements, hashlib.sha256(f"{digest}:{others_digest}".encode()).hexdigest()


@dataclass
class ChineseIntentModel:
    """A fitted Chinese intent classifier with its provenance; fits `qa.intents.SentenceClassifier`."""

    classifier: ChineseIntentClassifier
    data_sha256: str
    sklearn_version: str
    trained_at: str
    n_samples: int
    elements: dict[str, ChineseIntentClassifier] = field(default_factory=dict, repr=False, compare=False)
    """Per script element (ELEMENT_DATA), a classifier of "says it" (the element's name) vs NONE."""
    certainty_rule: str = ZH_CERTAINTY_RULE
    """How its certainty points were computed (ZH_CERTAINTY_RULE at training time)."""

    @property
    def name(self) -> str:
        return f"intent-zh-chars:{self.data_sha256[:12]}"

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    @property
    def certain_at(self) -> dict[str, float]:
        """Per label, the probability (0–1) from which the model alone is certain."""
        return dict(self.classifier.certain_at_)

    def classify(self, texts: Sequence[str]) -> list[Intent]:
        if not texts:
            return []
        return self.classifier.intents(_as_input([chinese_text(t) for t in texts]))

    def read_elements(self, texts: Sequence[str]) -> list[dict[str, Intent]]:
        """Per text, each script element's verdict: an Intent labelled with the element (probability that
        the text says it, and the element's certainty point) — also when the probability is low."""
        if not texts or not self.elements:
            return [{} for _ in texts]
        features = _as_input([chinese_text(t) for t in texts])
        out: list[dict[str, Intent]] = [{} for _ in texts]
        for element, classifier in self.elements.items():
            column = list(classifier.classes_).index(element)
            point = classifier.certain_at_.get(element, NEVER)
            for row, probs in zip(out, classifier.predict_proba(features), strict=True):
                row[element] = Intent(element, float(probs[column]), point)
        return out

    def save(self, path: Path) -> None:
        """Write the artifact atomically (`qa.artifacts.save_artifact`)."""
        save_artifact(dict(self.__dict__), path)


def _read_by_model(said: Sequence[frozenset[str]]) -> list[str]:
    """The elements the data names that a model reads (all but PHRASE_ONLY)."""
    return sorted(set().union(*said) - PHRASE_ONLY)


def train_chinese_intents(
    path: Path | None = None, *, elements: Path | None = None, **params: Any
) -> ChineseIntentModel:
    """Fit the calibrated classifier on labelled sentences (default: the packaged file) and one yes/no
    classifier per script element (`elements`, default the packaged ELEMENT_DATA), each with its
    certainty point from cross-validated precision (no prevalence weighting, as in English: the data
    holds more sentences that say no element than a check's window does, so the point is conservative),
    pooled over CERTAINTY_REPEATS fold shuffles (about 30 s of CPU)."""
    texts, labels, _ = read_chinese_intents(path)
    element_texts, said, digest = read_chinese_elements(elements, path)
    params.setdefault("prevalence", dict.fromkeys(CATEGORIES, CALL_PREVALENCE))
    params.setdefault("repeats", CERTAINTY_REPEATS)
    classifier = ChineseIntentClassifier(**params).fit(_as_input(texts), np.asarray(labels))
    readers = {
        name: _reader().fit(_as_input(element_texts), np.asarray([name if name in s else NONE for s in said]))
        for name in _read_by_model(said)
    }
    return ChineseIntentModel(
        classifier,
        digest,
        sklearn.__version__,
        datetime.now(UTC).isoformat(),
        len(texts),
        readers,
        f"{classifier.certainty_rule} elements: {READER_RULE}",
    )


def load_chinese_intents(
    path: Path, *, data: Path | None = None, elements: Path | None = None
) -> ChineseIntentModel:
    """Load an artifact trained on `data` and `elements` (default: the packaged sentences);
    StaleModelError when it was trained on other data, for other elements or with another scikit-learn
    version."""
    state = joblib.load(path)
    if "embedding_model" in state:
        raise StaleModelError(f"{path}: an English intent model; run `callqa train intents --language zh`")
    _, said, digest = read_chinese_elements(elements, data)
    expected = {
        "data": (state.get("data_sha256"), digest),
        "element readers": (
            [(name, reader.C) for name, reader in sorted(state.get("elements", {}).items())],
            [(name, ELEMENT_C) for name in _read_by_model(said)],
        ),
        "scikit-learn": (state.get("sklearn_version"), sklearn.__version__),
        "certainty rule": (state.get("certainty_rule"), ZH_CERTAINTY_RULE),
    }
    for what, (saved, now) in expected.items():
        if saved != now:
            raise StaleModelError(
                f"{path}: trained with {what} {saved}, running with {now}; "
                "run `callqa train intents --language zh` again"
            )
    return ChineseIntentModel(**state)
