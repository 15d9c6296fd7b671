"""One spelling for what was said: text canonicalised before any phrase is matched or any sentence classified.

A recogniser's spelling must never decide a verdict. Whisper writes Chinese in traditional characters
(號 為 服務 / 感謝 來電) as often as in simplified when nothing pulls it either way, full-width
forms (１０２４, ＡＢＣ) as often as half-width, and a work number as 1024, 一零二四, 幺零二四 or
一千零二十四. Every text that reaches matching or the learned models goes through `canonical`,
phrases and transcripts alike, so both sides meet in one form:

- Unicode NFKC: full-width letters, digits and punctuation become their ordinary forms;
- traditional → simplified Chinese with OpenCC's `t2s` (character and phrase tables, not a hand list);
- runs of Chinese numerals that are numbers → Arabic digits with cn2an ("十二号" = "12号", "幺零二四" =
  "1024"). Only runs that are clearly numbers are converted — a run before 号 or after 工号 (是) (a work
  or house number) or a run of three numerals or more (phone and account numbers read digit by digit) —
  because single numerals are mostly words: 一下, 一点, 十分抱歉, 万一.
Text without CJK characters only gets NFKC, so English is read as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

import cn2an
import opencc

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMERALS = "零〇幺一二两三四五六七八九十百千万"
_NUMERAL_RUN = re.compile(
    f"[{_NUMERALS}]+(?=号)|(?<=工号)[{_NUMERALS}]+|(?<=工号是)[{_NUMERALS}]+|[{_NUMERALS}]{{3,}}"
)
_CACHE_SIZE = 1 << 16
"""Distinct texts remembered: a call's words and a script's phrases repeat across checks and calls."""


def is_chinese(text: str) -> bool:
    """Whether `text` holds a Chinese character (CJK unified ideographs, extension A, compatibility)."""
    return _CJK.search(text) is not None


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=_CACHE_SIZE)
def canonical(text: str) -> str:
    """`text` in canonical spelling: NFKC, and for Chinese simplified characters and numbers as digits."""
    text = unicodedata.normalize("NFKC", text)
    if not is_chinese(text):
        return text
    return _NUMERAL_RUN.sub(_digits, _t2s().convert(text))


Word = tuple[str, float, float, float]
"""(text, start s, end s, confidence 0–1) of one recognised word."""


def merge_number_words(words: Sequence[Word]) -> list[Word]:
    """`words` with the words of one spoken number joined into one word of digits.

    Recognisers and transcripts split Chinese into characters ("八", "六", "号"), and a numeral alone is
    a word, not a number, for `canonical`; read together they are "86号". The joined word spans the
    first word's start to the last one's end, with their mean confidence. Words without CJK pass as they
    are."""
    if not any(is_chinese(w[0]) for w in words):
        return list(words)
    texts = [_t2s().convert(unicodedata.normalize("NFKC", w[0])) for w in words]
    joined, owner = "", []
    for index, text in enumerate(texts):
        joined += text
        owner.extend([index] * len(text))
    merged: list[Word] = []
    done = 0  # words before this index are in `merged`
    for run in _NUMERAL_RUN.finditer(joined):
        digits = _digits(run)
        first, last = owner[run.start()], owner[run.end() - 1]
        if digits == run.group() or first < done:
            continue
        merged.extend(words[done:first])
        before = joined[owner.index(first) : run.start()]
        after = joined[run.end() : len(owner) - owner[::-1].index(last)]
        group = words[first : last + 1]
        conf = sum(w[3] for w in group) / len(group)
        merged.append((before + digits + after, group[0][1], group[-1][2], conf))
        done = last + 1
    merged.extend(words[done:])
    return merged


def _digits(run: re.Match[str]) -> str:
    try:
        return str(cn2an.cn2an(run.group(), "smart"))
    except ValueError:  # numerals that are no number ("万一"): leave the words as they were
        return run.group()
