"""A learned layer over the phrase lists: a scikit-learn classifier of agent sentences.

Phrase lists catch the wording they list (and its ASR-garbled forms, via fuzzy matching); they miss
paraphrases nobody wrote down ("that's billing's problem, not mine"). This classifier, trained on
`qa/data/agent_intents_en.tsv` (sentences written for this project) and `agent_intents_en_asr.tsv` (the
same sentences as the recogniser heard them over a simulated phone line, made by `callqa train
asr-readings`), labels each agent sentence as one of the forbidden categories, `empathy`, or `none`.
Word n-grams carry meaning; character n-grams keep it robust to misrecognised words. Hits above a
probability threshold become evidence like phrase matches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from qa.exceptions import ScriptError
from qa.labelled import read_tsv
from qa.matching import Match, normalize
from transcription.recognizer import Segment, Transcript, Word

DEFAULT_DATA = "agent_intents_en.tsv"
ASR_DATA = "agent_intents_en_asr.tsv"
READING_WEIGHT = 0.3
"""Weight of an ASR reading against a written sentence: readings teach the garbled forms ("come down"),
but some keep little of the meaning ("just do what i can do") and must not outvote the written data."""
NONE = "none"
_SENTENCE_END = re.compile(r"[.?!]$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True)
class Sentence:
    """An agent sentence with its time span (s), mean word confidence (0–1) and segment index."""

    text: str
    start: float
    end: float
    conf: float
    segment: int


@dataclass
class IntentModel:
    """The fitted pipeline and the hash of the data it was fitted on (its version)."""

    pipeline: Pipeline
    data_sha256: str

    @property
    def name(self) -> str:
        return f"intent-logreg:{self.data_sha256[:12]}"

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(best label, its probability 0–1) per text."""
        if not texts:
            return []
        probs = self.pipeline.predict_proba([" ".join(normalize(t)) for t in texts])
        classes = self.labels
        return [(classes[int(row.argmax())], float(row.max())) for row in probs]


def read_intents(paths: Sequence[Path] | None) -> tuple[list[str], list[str], list[float], str]:
    """(texts, labels, sample weights, sha256 over all files) from `label<TAB>text` files (default: the
    packaged sentences, weight 1, and their ASR readings, weight READING_WEIGHT)."""
    sources: list[tuple[Path | None, str, float]] = (
        [(None, DEFAULT_DATA, 1.0), (None, ASR_DATA, READING_WEIGHT)]
        if paths is None
        else [(p, "", 1.0) for p in paths]
    )
    texts, labels, weights, digests = [], [], [], []
    for path, packaged, weight in sources:
        rows, digest, source = read_tsv(path, packaged)
        digests.append(digest)
        for lineno, row in rows:
            if len(row) != 2 or not row[0] or not row[1].strip():
                raise ScriptError(f"{source}:{lineno}: expected label<TAB>text")
            labels.append(row[0])
            texts.append(" ".join(normalize(row[1])))
            weights.append(weight)
    return texts, labels, weights, hashlib.sha256("".join(digests).encode()).hexdigest()


def train_intents(paths: Sequence[Path] | None = None, *, C: float = 10.0) -> IntentModel:
    """Fit the sentence classifier (deterministic: same data, same model; about a second)."""
    texts, labels, weights, digest = read_intents(paths)
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    pipeline = Pipeline(
        [("features", features), ("clf", LogisticRegression(C=C, class_weight="balanced", max_iter=5000))]
    )
    pipeline.fit(texts, labels, clf__sample_weight=weights)
    return IntentModel(pipeline, digest)


def agent_sentences(transcript: Transcript) -> list[Sentence]:
    """The agent's speech cut into sentences (at sentence punctuation when the engine gives it)."""
    sentences: list[Sentence] = []
    for index, seg in enumerate(transcript.segments):
        if seg.speaker != "agent":
            continue
        sentences.extend(_split(seg, index))
    return sentences


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


def classify_sentences(transcript: Transcript, model: IntentModel) -> list[tuple[Sentence, str, float]]:
    """Every agent sentence with the model's best label and its probability (0–1)."""
    sentences = agent_sentences(transcript)
    return [
        (sentence, label, prob)
        for sentence, (label, prob) in zip(
            sentences, model.classify([s.text for s in sentences]), strict=True
        )
    ]


def find_intents(
    classified: Sequence[tuple[Sentence, str, float]], labels: Sequence[str], *, threshold: float
) -> dict[str, list[Match]]:
    """Classified sentences (`classify_sentences`) put in one of `labels` with probability ≥ `threshold`."""
    found: dict[str, list[Match]] = {}
    for sentence, label, prob in classified:
        if label == NONE or label not in labels or prob < threshold:
            continue
        found.setdefault(label, []).append(
            Match(
                phrase=f"model:{label}",
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                score=round(prob * 100, 1),
                segment=sentence.segment,
                mean_conf=sentence.conf,
                first_token=-1,
                last_token=-1,
            )
        )
    return found
