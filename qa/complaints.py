"""Complaint detection in the caller's speech, for the complaint-rate KPI: "I want to file a complaint",
"我要投诉", "I'll go to the ombudsman". Cue lists per language (`qa/scripts/complaints_<language>.yaml`)
are fuzzy-matched with the phrase machinery (`qa.matching`), so ASR-garbled forms still count; a cue
inside a taking-back phrase ("no complaints", "不是要投诉") does not.

Cues, not a model: a complaint is announced in few words, and the KPI counts calls, so one clear cue
per call is what matters. Figures on sentences never tuned on: `python bench/complaints.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.exceptions import ScriptError
from qa.matching import Match, find_phrase, tokenize_segments
from qa.script import packaged_name, read_yaml
from transcription.recognizer import Segment


@dataclass(frozen=True)
class ComplaintCues:
    """Complaint cues and the phrases that take one back, each with its similarity threshold (0–100)."""

    complaint: tuple[str, ...]
    not_complaint: tuple[str, ...]
    threshold: float
    not_threshold: float

    @property
    def version(self) -> str:
        """A short hash of the cues and thresholds: a stored reading made with other cues is stale."""
        text = json.dumps([self.complaint, self.not_complaint, self.threshold, self.not_threshold])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_complaint_cues(path: Path | None = None, language: str = "en") -> ComplaintCues:
    """The cue lists (default: the packaged ones for `language`, English when it has none)."""
    data, source = read_yaml(path, packaged_name("complaints", language))
    try:
        return ComplaintCues(
            complaint=tuple(str(p) for p in data["complaint"]),
            not_complaint=tuple(str(p) for p in data.get("not_complaint") or ()),
            threshold=float(data.get("threshold", 86)),
            not_threshold=float(data.get("not_threshold", 95)),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ScriptError(f"{source}: invalid complaint cue file ({exc})") from exc


def find_complaints(segments: Sequence[Segment], cues: ComplaintCues) -> list[Match]:
    """The places in the caller's segments of `segments` where they complained (time order): cue matches
    that no taking-back phrase overlaps."""
    indexed = [(i, s) for i, s in enumerate(segments) if s.speaker == "caller"]
    tokens = tokenize_segments([s for _, s in indexed], [i for i, _ in indexed])
    if not tokens:
        return []
    back = [m for p in cues.not_complaint for m in find_phrase(p, tokens, threshold=cues.not_threshold)]
    hits = sorted(
        (m for p in cues.complaint for m in find_phrase(p, tokens, threshold=cues.threshold)),
        key=lambda m: (-m.score, m.start),
    )
    kept: list[Match] = []
    for hit in hits:  # best first; a weaker match of the same words ("a complaint" / "complaint") is dropped
        if not any(_overlap(hit, other) for other in (*back, *kept)):
            kept.append(hit)
    return sorted(kept, key=lambda m: m.start)


def _overlap(a: Match, b: Match) -> bool:
    return a.first_token <= b.last_token and b.first_token <= a.last_token


def is_complaint(text: str, cues: ComplaintCues) -> bool:
    """Whether a caller's sentence `text` holds a complaint (for labelled sentences and quick checks)."""
    return bool(find_complaints([Segment("caller", 0.0, 1.0, text)], cues))
