"""Typed helpers to build hand-made transcripts for QA tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

from callqa.settings import Settings
from transcription.recognizer import Segment, Speaker, Transcript, Word

# The product's configured numbers (the settings defaults, whatever the environment says).
DEAD_AIR_MIN_S: float = Settings.model_fields["dead_air_min_s"].default
INTENT_THRESHOLD: float = Settings.model_fields["intent_threshold"].default


class QANumbers(TypedDict):
    dead_air_min_s: float
    intent_threshold: float


QA_NUMBERS: QANumbers = {"dead_air_min_s": DEAD_AIR_MIN_S, "intent_threshold": INTENT_THRESHOLD}

Turn = tuple[Speaker, float, float, str]


def said(speaker: Speaker, start: float, words: str, *, step: float = 0.4) -> Segment:
    """One decoded segment from "word/confidence" pairs ("Bye/0.94 now./0.95"), a word every `step` s
    from `start` (s): how a recogniser's words and confidences are written down in a test."""
    pairs = [w.rsplit("/", 1) for w in words.split()]
    timed = tuple(
        Word(t, start + step * i, start + step * (i + 1), float(c)) for i, (t, c) in enumerate(pairs)
    )
    return Segment(speaker, start, timed[-1].end, " ".join(t for t, _ in pairs), timed, 0.8)


def make_transcript(turns: list[Turn], *, duration_s: float | None = None, conf: float = 0.95) -> Transcript:
    """Segments with evenly spread word times (as an engine would give) from (speaker, start, end, text)."""
    segments = []
    for speaker, start, end, text in turns:
        tokens = text.split()
        step = (end - start) / max(1, len(tokens))
        words = tuple(Word(t, start + i * step, start + (i + 1) * step, conf) for i, t in enumerate(tokens))
        segments.append(Segment(speaker, start, end, text, words, conf))
    end_time = max((t[2] for t in turns), default=0.0)
    return Transcript(tuple(segments), duration_s or end_time + 1.0)


def reference_transcript(label_file: Path) -> tuple[Transcript, dict[str, object]]:
    """A dev-set call's reference turns as a transcript, with its labels."""
    data = json.loads(label_file.read_text())
    turns: list[Turn] = [(t["speaker"], t["start"], t["end"], t["text"]) for t in data["turns"] if t["text"]]
    return make_transcript(turns, duration_s=data["duration_s"]), data["labels"]
