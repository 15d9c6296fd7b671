"""Complaint detection in the caller's speech, for the complaint-rate KPI: "I want to file a complaint",
"我要投诉", "I'll go to the ombudsman". Cue lists per language (`qa/scripts/complaints_<language>.yaml`)
are fuzzy-matched with the phrase machinery (`qa.matching`), so ASR-garbled forms still count; a cue
inside a taking-back phrase ("no complaints", "不是要投诉") does not, nor one a negation takes back: a
negation word a few words before the cue with nothing between that makes the cue someone's noun ("I'm not
ringing to complain" takes it back; "you didn't log my complaint" does not).

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
from qa.matching import Match, Token, find_phrase, normalize, tokenize_segments
from qa.script import packaged_name, read_yaml
from transcription.recognizer import Segment


@dataclass(frozen=True)
class ComplaintCues:
    """Complaint cues and the phrases that take one back, each with its similarity threshold (0–100)."""

    complaint: tuple[str, ...]
    not_complaint: tuple[str, ...]
    threshold: float
    not_threshold: float
    negations: frozenset[str] = frozenset()
    """Words that deny what follows them ("not", "never", "didn't"; normalized tokens)."""
    negation_window: int = 0
    """How many words (tokens) before a cue a negation takes it back from; 0: no negation rule."""
    negation_stops: frozenset[str] = frozenset()
    """Words that, between a negation and a cue, end the negation's reach: a determiner makes the cue the
    object of another verb ("didn't log my complaint"), a subject or conjunction starts another clause."""

    @property
    def version(self) -> str:
        """A short hash of the cues and thresholds: a stored reading made with other cues is stale."""
        negation = [sorted(self.negations), self.negation_window, sorted(self.negation_stops)]
        text = json.dumps([self.complaint, self.not_complaint, self.threshold, self.not_threshold, *negation])
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
            negations=_words(data.get("negations")),
            negation_window=int(data.get("negation_window", 0)),
            negation_stops=_words(data.get("negation_stops")),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ScriptError(f"{source}: invalid complaint cue file ({exc})") from exc


def _words(listed: object) -> frozenset[str]:
    if listed is None:
        return frozenset()
    # YAML reads a bare `no` as false: a word list must be strings.
    if not isinstance(listed, list) or not all(isinstance(w, str) for w in listed):
        raise TypeError(f"expected a list of quoted words, got {listed!r}")
    return frozenset(w for item in listed for w in normalize(item))


def find_complaints(segments: Sequence[Segment], cues: ComplaintCues) -> list[Match]:
    """The places in the caller's segments of `segments` where they complained (time order): cue matches
    that no taking-back phrase overlaps and no negation takes back (`negated`)."""
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
        if not any(_overlap(hit, other) for other in (*back, *kept)) and not negated(hit, tokens, cues):
            kept.append(hit)
    return sorted(kept, key=lambda m: m.start)


def negated(hit: Match, tokens: Sequence[Token], cues: ComplaintCues) -> bool:
    """Whether a negation among the `negation_window` tokens before the cue `hit` (same sentence) takes it
    back: "not ringing to complain", "never complain", "wasn't a complaint". A stop word between them
    ("didn't answer my complaint", "isn't fixed I will complain") means the negation is about something
    else, and the cue stands."""
    first = hit.first_token
    if tokens[first].sentence_start:
        return False
    for index in range(first - 1, max(-1, first - 1 - cues.negation_window), -1):
        token = tokens[index]
        if token.segment != tokens[first].segment or token.text in cues.negation_stops:
            return False
        if token.text in cues.negations:
            return True
        if token.sentence_start:
            return False
    return False


def _overlap(a: Match, b: Match) -> bool:
    return a.first_token <= b.last_token and b.first_token <= a.last_token


def is_complaint(text: str, cues: ComplaintCues) -> bool:
    """Whether a caller's sentence `text` holds a complaint (for labelled sentences and quick checks)."""
    return bool(find_complaints([Segment("caller", 0.0, 1.0, text)], cues))
