"""The words people read for the system's internal names: scorecard items, script checks and their
elements, forbidden-phrase categories, verdict states. Pages, notifications and exports all take labels
from here, so one thing is called one thing everywhere (and `blame_customer` never reaches a screen)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    # scorecard items and script checks
    "greeting": "Greeting",
    "closing": "Closing",
    "courtesy": "Courtesy (no forbidden phrases)",
    "empathy": "Empathy when the caller is upset",
    "no_dead_air": "No long silences",
    "three_musts": "Three musts (please, polite you, goodbye)",
    "noisy_line": "Noisy-line procedure",
    "silent_caller": "Silent-caller procedure",
    # elements of the checks
    "salutation": "Salutation",
    "company": "Company name",
    "self_id": "Agent introduces themselves",
    "offer_help": "Offer of further help",
    "thanks": "Thanks the caller",
    "goodbye": "Goodbye",
    "please": "Says please",
    "respectful_you": "Polite form of you",
    "goodbye_at_end": "Goodbye at the end",
    # forbidden-phrase categories
    "blame_customer": "Blaming the customer",
    "blame_shifting": "Passing the buck",
    "rude": "Rude or harsh words",
    "harsh": "Rude or harsh words",
}
"""Internal name -> label. A name missing here is shown with underscores as spaces, capitalised."""

STATES: dict[str, str] = {"pass": "Pass", "fail": "Fail", "uncertain": "Needs review", "na": "N/A"}
"""One state vocabulary for verdict lists and the scorecard (machine, human and history)."""

SOURCES: dict[str, str] = {
    "phrase": "matched a listed phrase",
    "model": "the sentence model",
    "fuzzy": "a close match to a listed phrase",
    "second_reading": "heard only by a second decoding",
}
"""How a forbidden phrase was found, in words."""


def label(name: str) -> str:
    """The label of an internal `name` (item, check, element, category)."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def state_word(passed: bool | None) -> str:
    """A verdict (True pass, False fail, None not applicable) as a key of STATES."""
    return {True: "pass", False: "fail", None: "na"}[passed]


def state_label(state: str | bool | None) -> str:
    """The label of a state key (see STATES) or of a verdict."""
    key = state if isinstance(state, str) else state_word(state)
    return STATES.get(key, key.capitalize())


def confidence_label(score: float) -> str:
    """A match score (0–100) in words instead of the raw number."""
    if score >= 90:
        return "strong match"
    if score >= 80:
        return "likely match"
    return "weak match"


SEVERITY_BANDS: tuple[tuple[int, str], ...] = ((5, "Urgent"), (3, "High"), (1, "Medium"), (0, "Low"))
"""Queue severity (the sum of `scoring.review.FlagSeverity` weights; 3 = a failed critical item with the
default weights) -> its label: the first band whose floor it reaches."""


def severity_label(severity: int) -> str:
    return next((name for floor, name in SEVERITY_BANDS if severity >= floor), "Low")


NAMED_REASONS = ("critical item failed", "uncertain verdict")
"""Queue reasons (`scoring.review.flag_reasons`) that end in internal names, shown with their labels."""


def reason_label(reason: str) -> str:
    """A stored queue reason in words: "critical item failed: courtesy" -> "Critical item failed:
    Courtesy (no forbidden phrases)"."""
    head, sep, names = reason.partition(": ")
    if sep and head in NAMED_REASONS:
        return f"{head.capitalize()}: " + ", ".join(label(n) for n in names.split(", "))
    return reason[:1].upper() + reason[1:]
