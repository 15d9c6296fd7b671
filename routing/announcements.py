"""What the IVR says to a caller, in the caller's language (texts in `announcements.yaml`; English is
the fallback for a language without texts)."""

from __future__ import annotations

import math
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Refusal:
    """Why no agent could ever take a call, as words the caller can hear in their language: `kind`
    names the text `refused_<kind>` in announcements.yaml (unknown_skill, no_skill, skill_level, language,
    language_skills); `skills` (names), `levels` (skill, minimum level) and `languages` fill it.
    `str()` is the English text (for logs)."""

    kind: str
    skills: tuple[str, ...] = ()
    levels: tuple[tuple[str, int], ...] = ()
    languages: tuple[str, ...] = ()

    def text(self, language: str) -> str:
        """The refusal in `language` (English when it has no texts)."""
        levels = _text(language, "list_sep").join(
            _text(language, "level_item").format(skill=s, level=lvl) for s, lvl in self.levels
        )
        reason = _text(language, f"refused_{self.kind}").format(
            skills=", ".join(repr(s) for s in self.skills),
            levels=levels,
            languages=_text(language, "or").join(self.languages),
            wanted=", ".join(f"{s} {lvl}" for s, lvl in self.levels),
        )
        # An unknown skill is the IVR's mistake, not the staffing: said as it is.
        return reason if self.kind == "unknown_skill" else _text(language, "refused").format(reason=reason)

    def __str__(self) -> str:
        return self.text(FALLBACK)
