"""One spelling for what was said: text canonicalised before any phrase is matched or any sentence classified.

A recogniser's spelling must never decide a verdict. Whisper writes Chinese in traditional characters
(號 為 服務 / 感謝 來電) as often as in simplified when nothing pulls it either way, full-width
forms (１０２４, ＡＢＣ) as often as half-width, and a work number as 1024, 一零二四, 幺零二四 or
一千零二十四. Every text that reaches matching or the learned models goes through `canonical`,
phrases and transcripts alike, so both sides meet in one form:

- Unicode NFKC: full-width letters, digits and punctuation become their ordinary forms;
- traditional → simplified Chinese with OpenCC's `t2s` (character and phrase tables, not a hand list);
- runs of Chinese numerals that are numbers → Arabic digits with cn2an ("十二号" = "12号", "幺零二四" =
  "1024"). Only runs that are clearly numbers are converted — a run before 号 (a work or house number)
  or a run of three numerals or more (phone and account numbers read digit by digit) — because single
  numerals are mostly words: 一下, 一点, 十分抱歉, 万一.
Text without CJK characters only gets NFKC, so English is read as before.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import cn2an
import opencc

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMERALS = "零〇幺一二两三四五六七八九十百千万"
_NUMERAL_RUN = re.compile(f"[{_NUMERALS}]+(?=号)|[{_NUMERALS}]{{3,}}")
_CACHE_SIZE = 1 << 16
"""Distinct texts remembered: a call's words and a script's phrases repeat across checks and calls."""


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=_CACHE_SIZE)
def canonical(text: str) -> str:
    """`text` in canonical spelling: NFKC, and for Chinese simplified characters and numbers as digits."""
    text = unicodedata.normalize("NFKC", text)
    if not _CJK.search(text):
        return text
    return _NUMERAL_RUN.sub(_digits, _t2s().convert(text))


def _digits(run: re.Match[str]) -> str:
    try:
        return str(cn2an.cn2an(run.group(), "smart"))
    except ValueError:  # numerals that are no number ("万一"): leave the words as they were
        return run.group()
