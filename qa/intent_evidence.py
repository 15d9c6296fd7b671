"""A sentence-model hit as evidence (`ModelMatch`), and when it may stand without a person.

The intent model (`qa.intents`) and the script-element judge (`qa.element_evidence`) report their hits as
`ModelMatch`: a `qa.matching.Match` that also carries the category's certainty point, the word reader's
reading and what the point was measured on. Its `weakness` says why a hit is stated uncertain (under the
point, too few words to judge by meaning, words heard unsurely), its `grounds` what makes it certain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from qa.intents_certainty import MODEL_ONLY_MIN_CONF, NEVER
from qa.matching import Match, normalize

MIN_CERTAIN_CONTENT_WORDS = 2
"""Content words (`content_words`) a sentence needs for the model alone to be certain about it: on a
fragment ("Speaking.", "One moment.") a sentence embedding carries too little meaning to act on."""
AGREEMENT_MIN_CONF = 0.8
"""Mean recogniser confidence (0–1) over a sentence's words for the model and the word reader agreeing to
make a remark certain: both read the same words, so their agreement says nothing about words the
recogniser guessed (on an unseen call set, model hits at ≥ 0.9 over words heard at ≥ 0.8 were right 20
times in 25, over less sure words 6 in 15)."""


@dataclass(frozen=True)
class ModelMatch(Match):
    """A classifier hit as evidence; `score` is the probability × 100. It is weak (stated uncertain) below
    its category's certainty point `certain_at` (0–1) or when the recogniser was unsure of the words."""

    certain_at: float = NEVER
    reader: float | None = None
    """The word reader's probability (0–1) of the same category (`Intent.reader`); None without one."""
    agree_at: float = NEVER
    """Point (0–1) from which the model and the word reader agreeing is certain (`Intent.agree_at`)."""
    certain_on: str = ""
    """What `certain_at` was measured on (`Intent.certain_on`)."""
    category_sure: bool = True
    """False when `certain_at` vouches only that some remark was said (`Intent.category_sure`)."""

    @property
    def agreed(self) -> bool:
        """The model and the word reader are both at least `agree_at` sure of the category, over words
        the recogniser heard with mean confidence ≥ AGREEMENT_MIN_CONF."""
        return (
            self.reader is not None
            and min(self.score / 100, self.reader) >= self.agree_at
            and self.mean_conf >= AGREEMENT_MIN_CONF
        )

    def weakness(self, threshold: float, *, conf_matters: bool = True) -> str | None:
        if self.score / 100 < self.certain_at and not self.agreed:
            point = "never certain" if self.certain_at >= NEVER else f"certain from {self.certain_at:.2f}"
            return f"model only, probability {self.score / 100:.2f} ({point}){self._reading()}"
        if len(content_words(self.text)) < MIN_CERTAIN_CONTENT_WORDS:
            return f"model only, on too few words to judge by meaning (“{self.text}”)"
        if not self.agreed and self.mean_conf < MODEL_ONLY_MIN_CONF:
            return f"model only, over words heard unsurely (conf {self.mean_conf:.2f})"
        return super().weakness(0.0, conf_matters=conf_matters)

    @property
    def category_guessed(self) -> bool:
        """Certain, if at all, only that a remark of some category was said: the category is the model's
        likeliest, not vouched for (its point is for any category, and the word reader does not agree)."""
        return not self.category_sure and not self.agreed

    def grounds(self) -> str:
        """What makes this hit certain, for the reviewer (say it only when `weakness` is None)."""
        if self.score / 100 >= self.certain_at:
            on = f": {self.certain_on}" if self.certain_on else ""
            return f"model probability {self.score / 100:.2f} (certain from {self.certain_at:.2f}{on})"
        return (
            f"model {self.score / 100:.2f} and word reader {self.reader or 0.0:.2f} agree "
            f"(certain together from {self.agree_at:.2f}), words heard with confidence {self.mean_conf:.2f}"
        )

    def _reading(self) -> str:
        if self.reader is None:
            return ""
        point = "agreement never certain" if self.agree_at >= NEVER else f"together from {self.agree_at:.2f}"
        return f"; word reader {self.reader:.2f} ({point}), words heard with confidence {self.mean_conf:.2f}"


def content_words(text: str) -> list[str]:
    """The words of `text` that carry meaning (scikit-learn's English stop words left out)."""
    return [w for w in normalize(text) if w not in ENGLISH_STOP_WORDS]
