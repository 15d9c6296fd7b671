"""Does a heard word sound like a known name? Spelling and sound compared (rapidfuzz + jellyfish).

Recognisers write names they do not know as the nearest words they do ("Mae" for Mei, "Louise" for Luis,
"Fatty Ma" for Fatima): the spelling drifts, the sound stays. A heard stretch of one or two words is
compared with the name by spelling and by two phonetic encodings (Metaphone and NYSIIS, both from
jellyfish, a maintained Rust-backed library); the sound lifts a near spelling (0–100).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jellyfish
from rapidfuzz import fuzz

from qa.matching import Match, Token, match_at, normalize

NAME_SIMILAR = 80.0
"""Similarity (0–100) from which a heard stretch is taken to be the name."""
NAME_CLOSE = 76.0
"""Similarity (0–100) from which a heard stretch may be the name garbled: enough to doubt an absence."""
NAME_PIECE_MIN = 3
"""Letters from which a word inside a name's word is taken for a piece of it ("line" of Silverline)."""
SOUND_SAME = 100.0
"""Sound-code similarity (0–100) from which a single heard word may be the name said and misspelled."""
# Short common words sound like many short names ("me" ~ Mei); a name must not be read into them.
_TOO_COMMON = frozenset(
    {
        *("a", "i", "is", "it", "in", "on", "me", "my", "we", "he", "she", "you", "the", "to", "and"),
        *("of", "for", "can", "how", "help", "hello", "hi", "here", "this", "that", "with", "speaking"),
        *("name", "am", "are", "good", "morning", "afternoon", "evening", "calling", "thank", "thanks"),
    }
)


@dataclass(frozen=True)
class NameHit:
    """Where `name` was heard: token indices (inclusive) and the similarity 0–100."""

    first: int
    last: int
    score: float


def _codes(text: str) -> tuple[str, str]:
    return jellyfish.metaphone(text), jellyfish.nysiis(text)


def name_similarity(heard: str, name: str) -> float:
    """0–100: how much `heard` (one or two words) sounds or reads like `name` (the agent's first name)."""
    a, b = "".join(normalize(heard)), "".join(normalize(name))
    if not a or not b:
        return 0.0
    spelled = fuzz.ratio(a, b)
    (meta_a, nys_a), (meta_b, nys_b) = _codes(a), _codes(b)
    sounded = max(fuzz.ratio(meta_a, meta_b) if meta_a and meta_b else 0.0, fuzz.ratio(nys_a, nys_b))
    # Sound codes are short and collide easily ("for you" and "Priya" both code as F/PR-Y): the sound
    # lifts a spelling that is near, it never stands alone.
    return float(max(spelled, (spelled + sounded) / 2))


def sound_similarity(heard: str, name: str) -> float:
    """0–100: the sound codes alone (Metaphone, NYSIIS). Short codes collide, so this only ever raises a
    doubt ("I may" for "I'm Mei"), never finds a name."""
    a, b = "".join(normalize(heard)), "".join(normalize(name))
    if not a or not b:
        return 0.0
    (meta_a, nys_a), (meta_b, nys_b) = _codes(a), _codes(b)
    return float(max(fuzz.ratio(meta_a, meta_b) if meta_a and meta_b else 0.0, fuzz.ratio(nys_a, nys_b)))


def find_name(
    tokens: Sequence[Token], name: str, *, threshold: float = NAME_SIMILAR, by_sound: bool = False
) -> NameHit | None:
    """The best stretch of one or two tokens (inside one segment) that sounds like `name`, or None;
    `by_sound` compares sound codes alone (`sound_similarity`), for doubts."""
    target = " ".join(normalize(name))
    if not target:
        return None
    best: NameHit | None = None
    for i, token in enumerate(tokens):
        for width in (1, 2):
            window = tokens[i : i + width]
            if len(window) < width or window[-1].segment != window[0].segment:
                continue
            if width == 1 and token.text in _TOO_COMMON and token.text != target:
                continue
            heard = " ".join(t.text for t in window)
            score = sound_similarity(heard, target) if by_sound else name_similarity(heard, target)
            if score >= threshold and (best is None or score > best.score):
                best = NameHit(i, i + width - 1, score)
    return best


def name_piece(word: str, names: frozenset[str]) -> bool:
    """Whether `word` (normalised) is one of the words `names` or a piece of one, NAME_PIECE_MIN letters or
    more: recognisers split a name into ordinary words ("Silverline Rail" heard as "the line rail")."""
    return any(word == name or (len(word) >= NAME_PIECE_MIN and word in name) for name in names)


def name_match(tokens: Sequence[Token], hit: NameHit) -> Match:
    """`hit` as QA evidence (phrase "<agent name>")."""
    return match_at("<agent name>", tokens, hit.first, hit.last, hit.score)
