"""Does a heard stretch of Chinese sound like a script phrase? Pinyin compared syllable by syllable.

A recogniser on a phone line writes a Chinese word it did not catch as another with the same or a near
sound: 在见 for 再见, 感谢您的来店 for 感谢您的来电, 晚上号 for 晚上好. The characters differ, the syllables
stay. Each character is read as toneless pinyin (pypinyin, a maintained library with phrase tables for
the many-readings characters), the sound pairs a southern or hurried speaker merges are folded into one
(zh/z, ch/c, sh/s, n/l, -ng/-n, f/h), and heard and phrase are compared as syllable sequences.

Consonants are what a phone line and a poor voice lose first; the vowels (finals) survive. Whisper base
writes espeak-ng's Mandarin 再见 as 太天, 派天 or 太便, every time with 再见's finals ai-ian. So a phrase of
two syllables or more also sounds close when the finals alone match and the recogniser was unsure of the
words (a clearly heard 来电 is 来电, not 再见); one syllable's final is too common to say anything (您's -in
is also 林's, 心's, 今's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein

SOUND_CLOSE_ZH = 0.8
"""Share (0–1) of a phrase's syllables a heard stretch must match, after a Levenshtein alignment, to
sound like it: a six-syllable phrase allows one syllable misheard, a phrase of four or fewer none (two
characters alike in sound are a homophone, not a near miss)."""
FINALS_CONF = 0.8
"""Mean word confidence (0–1) under which heard words whose finals alone match a phrase may be it misheard."""
_FOLDS = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^l", "n"), (r"^f", "h"), (r"ng$", "n"))


@lru_cache(maxsize=1 << 14)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin of each character of `text` with near sounds folded; other words as they are."""
    out = []
    for syllable in lazy_pinyin(text, style=Style.NORMAL, errors="ignore"):
        for pattern, repl in _FOLDS:
            syllable = re.sub(pattern, repl, syllable)
        out.append(syllable)
    return tuple(out)


@lru_cache(maxsize=1 << 14)
def finals(text: str) -> tuple[str, ...]:
    """The final (vowel and coda) of each character of `text`, -ng folded into -n."""
    return tuple(re.sub("ng$", "n", f) for f in lazy_pinyin(text, style=Style.FINALS, errors="ignore"))


def sound_similarity_zh(heard: Sequence[str], phrase: str, *, by_finals: bool = False) -> float:
    """0–1: how much the characters `heard` sound like `phrase` (1 − syllable edit distance / length); with
    `by_finals` (words heard unsure), for a phrase of two syllables or more, how much their finals alone
    do, whichever is more."""
    text = "".join(heard)
    a, b = syllables(text), syllables(phrase)
    if not a or not b:
        return 0.0
    similarity = float(Levenshtein.normalized_similarity(a, b))
    if by_finals and len(b) >= 2:
        similarity = max(similarity, float(Levenshtein.normalized_similarity(finals(text), finals(phrase))))
    return similarity
