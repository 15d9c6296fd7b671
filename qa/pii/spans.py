"""The record of personal data found in a call (kept apart from detection, whose recognizer framework is
heavy to import: code that only carries or applies spans does not load it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from transcription.recognizer import Speaker

_REDACTED_WORD = re.compile(r"\[[A-Z][A-Z_]*\]")
"""A word as `qa.pii.redact.redact_transcript` writes it (`[CARD]`); recognisers write no brackets."""


def is_redacted(word: str) -> bool:
    """Whether `word` (a transcript word as written) is a redaction placeholder: words nobody said as
    such, standing for words of unknown content that left the transcript and the audio."""
    return _REDACTED_WORD.fullmatch(word) is not None


@dataclass(frozen=True)
class PiiSpan:
    """Personal data said in a call: `entity` (e.g. CREDIT_CARD) shown as `[token]`, said by `speaker`
    from `start` to `end` (s), in the words `words` (pairs of segment index and word index, see
    `spoken.WordRef`); `score` 0–1 is the recognizer's."""

    entity: str
    token: str
    speaker: Speaker
    start: float
    end: float
    words: tuple[tuple[int, int], ...]
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 3),
        }
