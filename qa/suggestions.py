"""What live assist offers the agent to say, worded from the active script and phrase lists, each with the
reason it was made. Pure functions of what the state machine (`qa.assist.Assistant`) decided is due:
this module chooses the words, never when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from qa.matching import normalize
from qa.phrases import PhraseSet, find_violations
from qa.script import CheckDef, ElementDef, Script, SilentCallerDef
from qa.sentiment import Label
from transcription.recognizer import Segment, Transcript

SuggestionKind = Literal["greeting", "closing", "empathy", "forbidden", "silent_caller"]
READABLE_WORDS = 3
"""Words (Chinese: characters) a script phrase needs to be offered as something to say."""


@dataclass(frozen=True)
class Suggestion:
    """What to say now (`say`, the script's wording), why (`reason`), made at stream time `at` (s);
    `element` is the script element, forbidden category or procedure it is about."""

    kind: SuggestionKind
    say: str
    reason: str
    at: float
    element: str = ""


def missing_element(script: Script, check: CheckDef, element: ElementDef, why: str, at: float) -> Suggestion:
    """The script's wording of `element` of `check` (an opening or a closing check), not heard yet."""
    kind: SuggestionKind = "greeting" if check.window.first_s is not None else "closing"
    return Suggestion(
        kind, element_wording(script, element), f"{check.name}: {element.name} {why}", at, element.name
    )


def element_wording(script: Script, element: ElementDef) -> str:
    """The element's first script phrase of at least READABLE_WORDS words (a whole phrase to read out:
    "have a great day" rather than "goodbye"; else its first phrase), slots filled where known."""
    if not element.phrases:
        return f"(say the {element.name.replace('_', ' ')})"  # a company not configured has no phrase
    readable = [p for p in element.phrases if len(normalize(p)) >= READABLE_WORDS]
    phrase = (readable or list(element.phrases))[0]
    number = script.agent_number if element.needs == "agent_number" else None
    phrase = phrase.replace("<any>", number or "…")
    phrase = re.sub(r"<[Nn]ame>", script.agent_name or "…", phrase)
    return sentence(phrase, script.language)


def empathy(
    empathy_phrases: PhraseSet,
    nth: int,
    language: str,
    at: float,
    *,
    text: str,
    sentiment: Label | None,
    pitch_change_st: float | None,
    loudness_change_db: float | None,
) -> Suggestion:
    """The `nth` empathy sentence to offer (in turn; the list's `say` sentences, whole things to say, else
    its phrases), for a caller utterance `text` that reads negative or sounds agitated (the changes given)."""
    offered = empathy_phrases.say or tuple(p for group in empathy_phrases.groups.values() for p in group)
    why = []
    if sentiment == "neg":
        why.append(f"the caller sounds negative (“{text}”)")
    if pitch_change_st is not None and loudness_change_db is not None:
        rise = f"pitch {pitch_change_st:+.1f} st, loudness {loudness_change_db:+.1f} dB"
        why.append(f"the caller sounds agitated ({rise})")
    return Suggestion("empathy", sentence(offered[nth % len(offered)], language), "; ".join(why), at)


def forbidden_remarks(
    segment: Segment, forbidden: PhraseSet, at: float, *, after: float | None = None
) -> list[Suggestion]:
    """The approved wording for each forbidden remark of the agent's `segment` that ends after `after` (s:
    the segment was stored joined to a part whose remarks were shown already; a remark cut in two by a
    pause is still heard)."""
    found = find_violations(Transcript((segment,), segment.end), forbidden)
    return [
        Suggestion(
            "forbidden",
            forbidden.instead.get(v.category, ""),
            f"“{v.text}” is a {v.category.replace('_', ' ')} remark (like “{v.matched_phrase}”)"
            + (f"; {v.note}" if v.note else ""),
            at,
            v.category,
        )
        for v in found
        if after is None or v.end > after
    ]


def silent_caller(
    procedure: SilentCallerDef, prompts: int, quiet_s: float, language: str, at: float
) -> Suggestion:
    """The `prompts`-th (1-based) thing to say to a caller silent for `quiet_s` s: the procedure's prompts
    in turn up to its `min_prompts`, then its polite close."""
    reason = f"the caller has been silent for {quiet_s:.0f} s"
    if prompts <= procedure.min_prompts and procedure.prompts:
        phrase = procedure.prompts[(prompts - 1) % len(procedure.prompts)]
        return Suggestion("silent_caller", sentence(phrase, language), reason, at, "prompt")
    close = procedure.close[0] if procedure.close else ""
    return Suggestion("silent_caller", sentence(close, language), reason, at, "close")


def sentence(phrase: str, language: str) -> str:
    """A lower-case script phrase as a sentence to read out ("i am sorry" → "I am sorry")."""
    if language != "en" or not phrase:
        return phrase
    text = re.sub(r"\bi\b", "I", phrase)
    return text[0].upper() + text[1:]
