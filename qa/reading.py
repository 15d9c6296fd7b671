"""Whether the agent's leg was read well enough for a FAIL to be certain.

A missing element is a certain FAIL only where the recogniser heard its place clearly (`qa.absence`). Two
readings are not clear whatever the word confidences say:
- a Chinese call read largely as something else: whisper, lost on poor audio, writes English, Latin
  letters and digit runs ("King 3 Ken 4 K 2 G", "3 - 9 4 - 4") with confident word probabilities;
- a reading that is mostly the names the recogniser was hinted with: a hinted whisper fills what it
  cannot hear with the company name ("金桥银行客服中心金桥银行客服中心…").
Either makes every failed check UNCERTAIN, with the reason, so a person listens.
"""

from __future__ import annotations

from dataclasses import replace

from qa.checks import UNCERTAIN_CONFIDENCE, CheckResult
from qa.matching import Token, find_phrase, tokenize_segments
from qa.text import is_chinese
from transcription.recognizer import Transcript

FOREIGN_SHARE = 0.3
"""Share (0–1) of a Chinese call's agent tokens that are no Chinese character (Latin words, digit runs)
from which the reading is not Chinese. A Chinese reading has one token per character, and a number said is
one token, so a real call stays far below."""
HINT_SHARE = 0.5
"""Share (0–1) of the agent's tokens inside the hinted names from which the reading is the hints'."""
MIN_TOKENS = 8
"""Fewer agent tokens say too little about a reading to doubt it this way (other doubts still apply)."""


def reading_doubts(transcript: Transcript, *, language: str, hints: tuple[str, ...]) -> list[str]:
    """Reasons the agent's leg was not read well enough for a certain FAIL (empty when it was)."""
    indexed = [(i, s) for i, s in enumerate(transcript.segments) if s.speaker == "agent"]
    tokens = tokenize_segments([s for _, s in indexed], [i for i, _ in indexed])
    if len(tokens) < MIN_TOKENS:
        return []
    doubts = []
    if language == "zh":
        foreign = sum(1 for t in tokens if not is_chinese(t.text)) / len(tokens)
        if foreign >= FOREIGN_SHARE:
            doubts.append(
                f"the agent's speech was read largely as another language ({foreign:.0%} non-Chinese words)"
            )
    hinted = _hinted_share(tokens, hints)
    if hinted >= HINT_SHARE:
        doubts.append(f"the reading is mostly the names the recogniser was hinted with ({hinted:.0%})")
    return doubts


def _hinted_share(tokens: list[Token], hints: tuple[str, ...]) -> float:
    covered: set[int] = set()
    for hint in hints:
        for match in find_phrase(hint, tokens, threshold=90.0):
            covered.update(range(match.first_token, match.last_token + 1))
    return len(covered) / len(tokens)


def doubt_failures(checks: dict[str, CheckResult], doubts: list[str]) -> dict[str, CheckResult]:
    """`checks` with every certain FAIL made UNCERTAIN for `doubts` (unchanged without doubts)."""
    if not doubts:
        return checks
    return {
        name: replace(
            c,
            state="uncertain",
            reason=f"{c.reason}; uncertain: {'; '.join(doubts)}",
            confidence=min(c.confidence, UNCERTAIN_CONFIDENCE),
            doubts=[*c.doubts, *doubts],
        )
        if c.state == "fail"
        else c
        for name, c in checks.items()
    }
