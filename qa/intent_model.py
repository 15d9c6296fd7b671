"""The trained intent model (`qa.intents.IntentClassifier` + the embedder it reads) and its artifact.

An artifact records what it was trained on and with: the data files' sha256, the embedding model's id
(network and weights), the scikit-learn version. Loading refuses one that no longer matches (the data was
edited, the embedding package changed, scikit-learn was upgraded) with a message saying how to retrain
(`callqa train intents`): predictions from a mismatched artifact would be silently wrong.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from qa.embeddings import SentenceEmbedder
from qa.exceptions import ScriptError
from qa.intents import Intent, IntentClassifier, normalized
from qa.labelled import read_tsv

DEFAULT_DATA = "agent_intents_en.tsv"


class StaleModelError(ScriptError):
    """A saved model does not match the data, embedding model or library it would now run with."""


def read_intents(paths: Sequence[Path] | None = None) -> tuple[list[str], list[str], str]:
    """(normalized texts, labels, sha256 over the files) from `label<TAB>text` files (default: the
    packaged training sentences)."""
    texts, labels, digests = [], [], []
    for path in paths if paths is not None else [None]:
        rows, digest, source = read_tsv(path, DEFAULT_DATA)
        digests.append(digest)
        for lineno, row in rows:
            if len(row) != 2 or not row[0] or not row[1].strip():
                raise ScriptError(f"{source}:{lineno}: expected label<TAB>text")
            labels.append(row[0])
            texts.append(normalized(row[1]))
    return texts, labels, ":".join(digests)


@dataclass
class IntentModel:
    """A fitted classifier with its provenance and the embedder it reads; fits `SentenceClassifier`."""

    classifier: IntentClassifier
    data_sha256: str
    embedding_model: str
    sklearn_version: str
    trained_at: str
    n_samples: int
    embedder: SentenceEmbedder = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"intent-minilm:{self.data_sha256[:12]}"

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    @property
    def certain_at(self) -> dict[str, float]:
        """Per label, the probability (0–1) from which the model alone is certain."""
        return dict(self.classifier.certain_at_)

    def classify(self, texts: Sequence[str]) -> list[Intent]:
        """The verdict (label, probability, certainty) on each text."""
        if not texts:
            return []
        return self.classifier.intents(self.embedder.embed([normalized(t) for t in texts]))

    def save(self, path: Path) -> None:
        """Write the artifact atomically (a concurrent reader sees the old file or the new one)."""
        state = {k: v for k, v in self.__dict__.items() if k != "embedder"}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
        joblib.dump(state, tmp)
        os.replace(tmp, path)


def train_intents(
    paths: Sequence[Path] | None = None, *, embedder: SentenceEmbedder | None = None, **params: Any
) -> IntentModel:
    """Embed the training sentences and fit the calibrated classifier (deterministic; about 10 s of CPU,
    almost all of it embedding)."""
    texts, labels, digest = read_intents(paths)
    embedder = embedder or SentenceEmbedder()
    classifier = IntentClassifier(**params).fit(embedder.embed(texts), np.asarray(labels))
    return IntentModel(
        classifier,
        digest,
        embedder.model_id,
        sklearn.__version__,
        datetime.now(UTC).isoformat(),
        len(texts),
        embedder,
    )


def load_intents(
    path: Path, *, data: Sequence[Path] | None = None, embedder: SentenceEmbedder | None = None
) -> IntentModel:
    """Load an artifact trained on `data` (default: the packaged sentences); StaleModelError when it was
    trained on other data, another embedding model or another scikit-learn version."""
    state = joblib.load(path)
    embedder = embedder or SentenceEmbedder()
    expected = {
        "data": (state.get("data_sha256"), read_intents(data)[2]),
        "embedding model": (state.get("embedding_model"), embedder.model_id),
        "scikit-learn": (state.get("sklearn_version"), sklearn.__version__),
    }
    for what, (saved, now) in expected.items():
        if saved != now:
            raise StaleModelError(
                f"{path}: trained with {what} {saved}, running with {now}; run `callqa train intents` again"
            )
    return IntentModel(**state, embedder=embedder)
