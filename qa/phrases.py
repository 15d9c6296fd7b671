"""Phrase lists (forbidden categories, empathy) as data, and finding them in the agent's speech."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from qa.exceptions import ScriptError
from qa.intent_evidence import ModelMatch
from qa.matching import Match, find_phrase, tokenize_segments
from qa.script import packaged_name, read_yaml
from transcription.recognizer import Transcript

CATEGORIES = ("blame_customer", "blame_shifting", "rude")
CATEGORY_GUESSED = "a forbidden remark was said; its category is the model's likeliest"
"""Note on a certain violation whose category is not vouched for (`Violation.category_sure` False)."""
UNCERTAIN_CONFIDENCE = 0.6
"""Stated confidence (0–1) is capped here for an UNCERTAIN finding (as for checks)."""


@dataclass(frozen=True)
class PhraseSet:
    """Named groups of phrase variants with one similarity threshold (0–100)."""

    groups: dict[str, tuple[str, ...]]
    threshold: float
    instead: dict[str, str] = field(default_factory=dict)
    """Per group, the approved wording to say instead (forbidden categories; shown by live assist)."""
    say: tuple[str, ...] = ()
    """Whole sentences to offer the agent (empathy; shown by live assist): the phrases are what is
    recognised and some are fragments ("i understand how frustrating")."""


@dataclass(frozen=True)
class Violation:
    """A forbidden phrase said by the agent; times in seconds.

    `state` is "uncertain" when the evidence is weak (see `Match.weakness`): the violation still counts,
    and the call goes to a person with the reason in `note`.
    """

    category: str
    start: float
    end: float
    text: str
    matched_phrase: str
    score: float
    source: str = "phrase"
    """`phrase` (fuzzy match of a listed phrase), `model` (the sentence classifier) or `second_reading`
    (either, on a second decoding of words the first heard unsurely: `qa.remark_reading`)."""
    conf: float = 1.0
    """Mean recogniser confidence (0–1) of the words heard."""
    state: Literal["fail", "uncertain"] = "fail"
    note: str = ""
    category_sure: bool = True
    """False for a certain model-only remark whose point vouches only that some forbidden remark was said
    (`qa.intents_calibration`): `category` is the model's likeliest. A verdict on remarks of any category
    (the scorecards' `no_violations`) is certain; one on this category alone is not."""

    @property
    def confidence(self) -> float:
        """How sure the finding is (0–1): the match score or class probability, at most
        UNCERTAIN_CONFIDENCE when the state is uncertain."""
        sure = min(1.0, self.score / 100)
        return round(min(sure, UNCERTAIN_CONFIDENCE) if self.state == "uncertain" else sure, 3)

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "phrase": self.matched_phrase,
            "score": round(self.score, 1),
            "source": self.source,
            "conf": round(self.conf, 2),
            "state": self.state,
            "confidence": self.confidence,
            "note": self.note,
            "category_sure": self.category_sure,
        }


def _inside(match: Match, spans: Sequence[tuple[float, float]]) -> bool:
    return any(start <= match.start and match.end <= end for start, end in spans)


def _under_certain(match: Match, hits: Sequence[Match], threshold: float) -> bool:
    """Whether one of `hits` that is clear evidence at `threshold` (0–100) overlaps `match`."""
    return any(h.start < match.end and h.end > match.start and h.weakness(threshold) is None for h in hits)


def load_forbidden_phrases(path: Path | None, language: str = "en") -> PhraseSet:
    """The forbidden-phrase categories (default: the packaged list for `language`)."""
    data, source = read_yaml(path, packaged_name("forbidden", language))
    try:
        groups = {str(k): tuple(str(p) for p in v) for k, v in data["categories"].items()}
        threshold = float(data.get("threshold", 86))
        instead = {str(k): str(v) for k, v in (data.get("instead") or {}).items()}
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ScriptError(f"{source}: invalid phrase file ({exc})") from exc
    unknown = (set(groups) | set(instead)) - set(CATEGORIES)
    if unknown:
        raise ScriptError(f"{source}: unknown categories {sorted(unknown)}; expected {CATEGORIES}")
    return PhraseSet(groups, threshold, instead)


def load_empathy_phrases(path: Path | None, language: str = "en") -> PhraseSet:
    """Empathy/apology statements (default: the packaged list for `language`)."""
    data, source = read_yaml(path, packaged_name("empathy", language))
    try:
        return PhraseSet(
            {"empathy": tuple(str(p) for p in data["phrases"])},
            float(data.get("threshold", 84)),
            say=tuple(str(p) for p in data.get("say") or ()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ScriptError(f"{source}: invalid phrase file ({exc})") from exc


def find_agent_phrases(transcript: Transcript, phrases: PhraseSet) -> dict[str, list[Match]]:
    """For each group, the non-overlapping places the agent said one of its phrases (time order)."""
    indexed = [(i, s) for i, s in enumerate(transcript.segments) if s.speaker == "agent"]
    tokens = tokenize_segments([s for _, s in indexed], [i for i, _ in indexed])
    found: dict[str, list[Match]] = {}
    for group, variants in phrases.groups.items():
        hits = sorted(
            (m for v in variants for m in find_phrase(v, tokens, threshold=phrases.threshold)),
            key=lambda m: (-m.score, m.start),
        )
        kept: list[Match] = []
        for hit in hits:
            if all(hit.last_token < k.first_token or hit.first_token > k.last_token for k in kept):
                kept.append(hit)
        if kept:
            found[group] = sorted(kept, key=lambda m: m.start)
    return found


def merge_matches(listed: dict[str, list[Match]], learned: dict[str, list[Match]]) -> dict[str, list[Match]]:
    """Phrase-list matches plus classifier hits that no phrase match of the same group overlaps."""
    merged = {group: list(matches) for group, matches in listed.items()}
    for group, hits in learned.items():
        kept = merged.setdefault(group, [])
        for hit in hits:
            if all(hit.end <= m.start or hit.start >= m.end for m in kept):
                kept.append(hit)
        kept.sort(key=lambda m: m.start)
    return merged


def find_violations(
    transcript: Transcript,
    phrases: PhraseSet,
    learned: dict[str, list[Match]] | None = None,
    *,
    learned_threshold: float = 70.0,
    harmless: Sequence[tuple[float, float]] = (),
) -> list[Violation]:
    """Forbidden phrases the agent said (plus classifier hits in `learned`, whose score is the class
    probability × 100 and was kept at ≥ `learned_threshold`), in time order. Inexact phrase matches
    inside a `harmless` (start, end) span in seconds are left out, and so are weak phrase matches under a
    classifier hit of their group that is certain on its own: "you should have" loosely matched inside
    "You should have told us about the meter yourself" says less than the model sure of that sentence."""
    learned = learned or {}
    listed = {
        group: [
            m
            for m in matches
            if (m.score >= 100 or not _inside(m, harmless))
            and not (
                m.weakness(phrases.threshold) is not None
                and _under_certain(m, learned.get(group, ()), learned_threshold)
            )
        ]
        for group, matches in find_agent_phrases(transcript, phrases).items()
    }
    found = merge_matches(listed, learned)
    violations = []
    for category, matches in found.items():
        if category not in CATEGORIES:
            continue
        for m in matches:
            source = "model" if m.phrase.startswith("model:") else "phrase"
            weakness = m.weakness(learned_threshold if source == "model" else phrases.threshold)
            guessed = weakness is None and isinstance(m, ModelMatch) and m.category_guessed
            grounds = m.grounds() if isinstance(m, ModelMatch) else ""
            violations.append(
                Violation(
                    category,
                    m.start,
                    m.end,
                    m.text,
                    m.phrase,
                    m.score,
                    source,
                    conf=m.mean_conf,
                    state="uncertain" if weakness else "fail",
                    note=weakness or (f"{grounds}; {CATEGORY_GUESSED}" if guessed else grounds),
                    category_sure=not guessed,
                )
            )
    return sorted(violations, key=lambda v: v.start)
