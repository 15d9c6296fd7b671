"""What the IVR says to a caller, in the caller's language (texts in `announcements.yaml`; English is
the fallback for a language without texts)."""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

import yaml

FALLBACK = "en"


@cache
def _texts() -> dict[str, dict[str, str]]:
    raw = resources.files("routing").joinpath("announcements.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(raw)
    return data


def _text(language: str, key: str) -> str:
    texts = _texts()
    return texts.get(language, texts[FALLBACK]).get(key) or texts[FALLBACK][key]


def languages() -> frozenset[str]:
    """The caller languages with their own announcement texts."""
    return frozenset(_texts())


def queue_announcement(position: int, wait_s: float, language: str) -> str:
    """The prompt for a caller waiting at `position` with `wait_s` (s) to go; infinite: nobody could take
    the call now."""
    if math.isinf(wait_s):
        return _text(language, "unavailable").format(position=position)
    minutes = max(1, round(wait_s / 60))
    key = "wait_one" if minutes == 1 else "wait_many"
    return _text(language, key).format(position=position, minutes=minutes)
