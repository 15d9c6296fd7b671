"""Sentiment per utterance and per speaker over the call (start, end, trend).

Any model with `predict(texts) -> labels` fits the `SentimentModel` protocol; `VaderSentiment` is the
lexicon baseline (compound score with ±0.05 thresholds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from transcription.recognizer import Speaker, Transcript

Label = Literal["pos", "neu", "neg"]
LABEL_VALUE: dict[str, int] = {"neg": -1, "neu": 0, "pos": 1}


class SentimentModel(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model version in stored results."""
        ...

    def predict(self, texts: Sequence[str]) -> list[Label]: ...


class VaderSentiment:
    """VADER compound score: ≥ 0.05 positive, ≤ -0.05 negative, else neutral."""

    name = "vader"

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold
        self._analyzer = SentimentIntensityAnalyzer()

    def predict(self, texts: Sequence[str]) -> list[Label]:
        labels: list[Label] = []
        for text in texts:
            compound = float(self._analyzer.polarity_scores(text)["compound"])
            labels.append(
                "pos" if compound >= self.threshold else "neg" if compound <= -self.threshold else "neu"
            )
        return labels


@dataclass(frozen=True)
class UtteranceSentiment:
    start: float
    end: float
    text: str
    label: Label


@dataclass(frozen=True)
class SpeakerSentiment:
    """How a speaker sounded: first and last utterance labels and the trend (end minus start, -2..2)."""

    start: Label | None
    end: Label | None
    trend: int
    utterances: tuple[UtteranceSentiment, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "trend": self.trend,
            "utterances": [
                {"start": round(u.start, 3), "end": round(u.end, 3), "label": u.label}
                for u in self.utterances
            ],
        }


def speaker_sentiment(
    transcript: Transcript,
    speaker: Speaker,
    model: SentimentModel,
    *,
    content_ends_at: float | None = None,
    mood_in_reply: bool = False,
    read_from: Transcript | None = None,
) -> SpeakerSentiment:
    """Label every utterance of `speaker` and summarise the trajectory.

    `read_from` is the same call before personal data was redacted from `transcript` (segment for
    segment): the labels are read from its words, the utterances keep `transcript`'s redacted text. A
    caller's "I am going to cancel" taken whole as an account number still reads as negative, and no
    redacted word reaches the stored record. ValueError when its segments do not match.

    `content_ends_at` (seconds) marks where the closing formalities begin (the agent's offer of further
    help): the `end` label is taken from the last utterance before it, because the reply to "anything
    else?" ("no, that is all") is formulaic and says nothing about how the caller feels. With
    `mood_in_reply`, a last utterance after it that is itself positive or negative ("没有了，今天多亏您了")
    is how the caller sounds at the end (for a model that reads the formula reply as neutral).
    """
    segments = transcript.by_speaker(speaker)
    said = segments if read_from is None else read_from.by_speaker(speaker)
    if [(s.start, s.end) for s in said] != [(s.start, s.end) for s in segments]:
        raise ValueError("read_from must hold the same segments as the transcript (before redaction)")
    labels = model.predict([s.text for s in said]) if segments else []
    utterances = tuple(
        UtteranceSentiment(s.start, s.end, s.text, label) for s, label in zip(segments, labels, strict=True)
    )
    return summarise(utterances, content_ends_at=content_ends_at, mood_in_reply=mood_in_reply)


def summarise(
    utterances: Sequence[UtteranceSentiment], *, content_ends_at: float | None, mood_in_reply: bool
) -> SpeakerSentiment:
    """The speaker's start, end and trend from their labelled utterances (time order); `content_ends_at`
    and `mood_in_reply` as in `speaker_sentiment`. Pure: a later, better-placed end of the content (the
    offer of further help found by a second reading) re-summarises without labelling anything again."""
    if not utterances:
        return SpeakerSentiment(None, None, 0, ())
    content = [u for u in utterances if content_ends_at is None or u.start < content_ends_at] or list(
        utterances
    )
    first, last = utterances[0].label, content[-1].label
    if mood_in_reply and utterances[-1] not in content and utterances[-1].label != "neu":
        last = utterances[-1].label
    return SpeakerSentiment(first, last, LABEL_VALUE[last] - LABEL_VALUE[first], tuple(utterances))
