"""Live agent assist: a pure, event-driven reading of a call while it happens.

Utterance events go in (`Assistant.hear`, one per utterance as it ends, either leg) with the clock of the
call (`Assistant.advance`, stream seconds); out come `Update`s: the turn as shown, the live script checklist
and suggestions, each with the reason it was made. No audio, no I/O: the caller decodes and measures voice.

What is suggested, all worded from the active script and phrase lists (English and Chinese alike):
- greeting: the opening check's required elements not heard beyond doubt once the opening is over (the
  caller has started to speak, or the opening window of the check has passed);
- closing: the closing check's missing elements once the call winds down (the closing phase: the first
  utterance of either side in which a closing phrase is heard beyond doubt — "anything else?", "bye");
- empathy: a phrase of the empathy list when the caller's utterance reads negative or they sound agitated
  (pitch and loudness risen over their own first utterances, `qa.acoustic.is_agitated`);
- forbidden: the approved wording (`instead` of the forbidden-phrase file) when the agent says a remark of a
  forbidden category;
- silent caller: the script's prompts, then its polite close, when the caller leg stays quiet for the
  procedure's `silent_s` after the agent's first turn (and again after each prompt).

Ticks follow the offline evidence rules: an element counts when `qa.checks.run_check` finds it and
`qa.checks.presence_doubt` has no doubt about it (a loose fuzzy match is not a tick); closing elements only
in the closing phase. `Assistant.end` gives the offline verdicts on the whole call.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any, Literal

from qa.acoustic import is_agitated
from qa.checks import CheckResult, presence_doubt, run_check, run_checks
from qa.matching import best_match, normalize, tokenize_segments
from qa.phrases import PhraseSet, find_violations
from qa.script import SILENT_CALLER, CheckDef, ElementDef, Script, SilentCallerDef
from qa.sentiment import Label, SentimentModel
from transcription.recognizer import Segment, Speaker, Transcript, Word

SuggestionKind = Literal["greeting", "closing", "empathy", "forbidden", "silent_caller"]
BASELINE_TURNS = 2
"""The caller's first utterances with a measurable voice: their pitch and loudness are the baseline an
utterance's rise is measured against."""

READABLE_WORDS = 3
"""Words (Chinese: characters) a script phrase needs to be offered as something to say."""


@dataclass(frozen=True)
class HeardUtterance:
    """One utterance as it ended: times in stream seconds; the voice (median pitch Hz, loudness dBFS) is
    measured by the caller of `hear` for caller utterances (None when too short or not measured)."""

    speaker: Speaker
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    pitch_hz: float | None = None
    loudness_db: float | None = None


@dataclass(frozen=True)
class Turn:
    """An utterance as shown: the caller's sentiment and voice change (semitones, dB against their
    baseline) when it is the caller's."""

    speaker: Speaker
    start: float
    end: float
    text: str
    sentiment: Label | None = None
    pitch_change_st: float | None = None
    loudness_change_db: float | None = None
    agitated: bool = False


@dataclass(frozen=True)
class Suggestion:
    """What to say now (`say`, the script's wording), why (`reason`), made at stream time `at` (s);
    `element` is the script element, forbidden category or procedure it is about."""

    kind: SuggestionKind
    say: str
    reason: str
    at: float
    element: str = ""


@dataclass(frozen=True)
class ElementState:
    """One checklist line: ticked when heard beyond doubt, with the words heard and when (s)."""

    check: str
    element: str
    ticked: bool = False
    heard: str = ""
    at: float | None = None


@dataclass(frozen=True)
class Update:
    """What changed at stream time `at` (s): a new turn and/or suggestions, with the whole checklist;
    `final` holds the offline verdicts once the call has ended."""

    at: float
    turn: Turn | None
    suggestions: tuple[Suggestion, ...]
    checklist: tuple[ElementState, ...]
    closing_phase: bool
    final: dict[str, CheckResult] | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready view (times rounded to ms)."""
        turn = self.turn
        return {
            "at": round(self.at, 3),
            "turn": None
            if turn is None
            else {
                "speaker": turn.speaker,
                "start": round(turn.start, 3),
                "end": round(turn.end, 3),
                "text": turn.text,
                "sentiment": turn.sentiment,
                "pitch_change_st": _round(turn.pitch_change_st),
                "loudness_change_db": _round(turn.loudness_change_db),
                "agitated": turn.agitated,
            },
            "suggestions": [
                {"kind": s.kind, "say": s.say, "reason": s.reason, "at": round(s.at, 3), "element": s.element}
                for s in self.suggestions
            ],
            "checklist": [
                {"check": e.check, "element": e.element, "ticked": e.ticked, "heard": e.heard, "at": e.at}
                for e in self.checklist
            ],
            "closing_phase": self.closing_phase,
            "final": None
            if self.final is None
            else {name: {"state": c.state, "reason": c.reason} for name, c in self.final.items()},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class _Caller:
    """The caller's running state: baseline voice, last sound (s), silent-caller prompts suggested and
    whether the polite close was suggested."""

    voices: list[tuple[float, float]] = field(default_factory=list)
    last_sound: float | None = None
    prompts: int = 0
    closed: bool = False


class Assistant:
    """The live reading of one call (not thread-safe: one caller at a time). `script` is filled for the
    call (`Script.for_call`); `forbidden` carries the approved wording per category (`instead`)."""

    def __init__(
        self, script: Script, forbidden: PhraseSet, empathy: PhraseSet, sentiment: SentimentModel
    ) -> None:
        self.script = script
        self._forbidden = forbidden
        self._empathy = [p for group in empathy.groups.values() for p in group]
        self._sentiment = sentiment
        self._opening = [c for c in script.checks.values() if c.window.first_s is not None]
        self._closing = [
            c
            for c in script.checks.values()
            if c.window.last_turns is not None or c.window.last_s is not None
        ]
        self._segments: list[Segment] = []
        self._ticks: dict[tuple[str, str], ElementState] = {
            (c.name, e.name): ElementState(c.name, e.name)
            for c in (*self._opening, *self._closing)
            for e in c.elements
        }
        self._suggested: set[tuple[str, str]] = set()
        self._closing_from: float | None = None
        self._opening_over = False
        self._agent_first_end: float | None = None
        self._caller = _Caller()
        self._now = 0.0
        self._empathy_next = 0
        silent = script.procedures.get(SILENT_CALLER)
        self._silent = silent if isinstance(silent, SilentCallerDef) else None

    # -- events -------------------------------------------------------------------------------------

    def hear(self, heard: HeardUtterance) -> Update:
        """Take one finished utterance; the update shows it with whatever it changed."""
        self._now = max(self._now, heard.end)
        segment = Segment(heard.speaker, heard.start, heard.end, heard.text, heard.words)
        self._segments.append(segment)
        self._segments.sort(key=lambda s: s.start)
        suggestions: list[Suggestion] = []
        turn = Turn(heard.speaker, heard.start, heard.end, heard.text)
        if heard.speaker == "agent":
            if self._agent_first_end is None:
                self._agent_first_end = heard.end
            suggestions += self._forbidden_remarks(segment)
        else:
            self._caller.last_sound = max(self._caller.last_sound or 0.0, heard.end)
            turn = self._caller_turn(heard)
            suggestions += self._empathy_for(turn)
            if self._agent_first_end is not None:
                self._opening_over = True
        if self._closing_from is None and self._winds_down(segment):
            self._closing_from = heard.start
        self._tick_checks()
        suggestions += self._missing_suggestions()
        return self._update(turn, suggestions)

    def advance(self, now_s: float, *, caller_speaking: bool = False) -> Update | None:
        """The call's clock moved to `now_s` (s; earlier times are ignored); `caller_speaking` when the
        caller leg has speech energy now (a caller who speaks is not silent, words or not). None when
        nothing new is to be shown."""
        self._now = max(self._now, now_s)
        if caller_speaking:
            self._caller.last_sound = self._now
        suggestions: list[Suggestion] = []
        if not self._opening_over and any(
            c.window.first_s is not None and self._now >= c.window.first_s for c in self._opening
        ):
            self._opening_over = True
            suggestions += self._missing_suggestions()
        suggestions += self._silent_prompt()
        return self._update(None, suggestions) if suggestions else None

    def end(self, duration_s: float) -> Update:
        """The call ended at `duration_s` (s): the offline verdicts on the whole transcript (`final`)."""
        self._now = max(self._now, duration_s)
        transcript = Transcript(tuple(self._segments), duration_s, language=self.script.language)
        return replace(self._update(None, []), final=run_checks(transcript, self.script))

    @property
    def transcript(self) -> Transcript:
        """The utterances heard so far, in time order."""
        return Transcript(tuple(self._segments), self._now, language=self.script.language)

    # -- checklist ----------------------------------------------------------------------------------

    def _tick_checks(self) -> None:
        transcript = self.transcript
        for check in self._opening:
            self._tick(check, transcript)
        if self._closing_from is not None:
            since = tuple(s for s in self._segments if s.start >= self._closing_from)
            closing = Transcript(since, self._now, language=self.script.language)
            for check in self._closing:
                self._tick(check, closing)

    def _tick(self, check: CheckDef, transcript: Transcript) -> None:
        result = run_check(transcript, check, self.script)
        for element, found in zip(check.elements, result.elements, strict=True):
            key = (check.name, element.name)
            if self._ticks[key].ticked or not found.found:
                continue
            doubt, _ = presence_doubt(element, found, self.script.threshold)
            if doubt is None:
                ev = found.evidence
                self._ticks[key] = ElementState(
                    check.name,
                    element.name,
                    True,
                    ev.text if ev else "",
                    round(ev.end if ev else self._now, 3),
                )

    def _winds_down(self, segment: Segment) -> bool:
        """A closing phrase heard beyond doubt in `segment` (either speaker, not the agent's first turn):
        the call winds down. Phrases an opening check also lists ("thank you for calling") open calls as
        often as they close them, so they do not count."""
        if segment.speaker == "agent" and segment.end <= (self._agent_first_end or 0.0):
            return False
        opening = {p for c in self._opening for e in c.elements for p in e.phrases}
        tokens = tokenize_segments([segment])
        for check in self._closing:
            for element in check.elements:
                phrases = [p for p in element.phrases if p not in opening]
                match = best_match(phrases, tokens, threshold=self.script.threshold)
                if match is not None and match.weakness(self.script.threshold) is None:
                    return True
        return False

    def _missing_suggestions(self) -> list[Suggestion]:
        due: list[tuple[CheckDef, str]] = []
        if self._opening_over:
            due += [(c, "not heard in the opening") for c in self._opening]
        if self._closing_from is not None:
            due += [(c, "the call is winding down and it is not heard yet") for c in self._closing]
        found = []
        for check, why in due:
            kind: SuggestionKind = "greeting" if check in self._opening else "closing"
            for element in check.elements:
                key = (check.name, element.name)
                if not element.required or self._ticks[key].ticked or key in self._suggested:
                    continue
                self._suggested.add(key)
                found.append(
                    Suggestion(
                        kind,
                        self._wording(element),
                        f"{check.name}: {element.name} {why}",
                        self._now,
                        element.name,
                    )
                )
        return found

    def _wording(self, element: ElementDef) -> str:
        """The element's first script phrase of at least READABLE_WORDS words (a whole phrase to read out:
        "have a great day" rather than "goodbye"; else its first phrase), slots filled where known."""
        if not element.phrases:
            return f"(say the {element.name.replace('_', ' ')})"  # a company not configured has no phrase
        readable = [p for p in element.phrases if len(normalize(p)) >= READABLE_WORDS]
        phrase = (readable or list(element.phrases))[0]
        number = self.script.agent_number if element.needs == "agent_number" else None
        phrase = phrase.replace("<any>", number or "…")
        phrase = re.sub(r"<[Nn]ame>", self.script.agent_name or "…", phrase)
        return _sentence(phrase, self.script.language)

    # -- caller -------------------------------------------------------------------------------------

    def _caller_turn(self, heard: HeardUtterance) -> Turn:
        label = self._sentiment.predict([heard.text])[0] if heard.text.strip() else None
        pitch = loud = None
        if heard.pitch_hz and heard.loudness_db is not None:
            if len(self._caller.voices) < BASELINE_TURNS:
                self._caller.voices.append((heard.pitch_hz, heard.loudness_db))
            else:
                base_pitch = median(v[0] for v in self._caller.voices)
                base_loud = median(v[1] for v in self._caller.voices)
                pitch = 12 * math.log2(heard.pitch_hz / base_pitch)
                loud = heard.loudness_db - base_loud
        return Turn(
            "caller", heard.start, heard.end, heard.text, label, pitch, loud, is_agitated(pitch, loud)
        )

    def _empathy_for(self, turn: Turn) -> list[Suggestion]:
        if not self._empathy or not (turn.sentiment == "neg" or turn.agitated):
            return []
        phrase = self._empathy[self._empathy_next % len(self._empathy)]
        self._empathy_next += 1
        why = []
        if turn.sentiment == "neg":
            why.append(f"the caller sounds negative (“{turn.text}”)")
        if turn.agitated:
            why.append(
                f"the caller sounds agitated (pitch {turn.pitch_change_st:+.1f} st, "
                f"loudness {turn.loudness_change_db:+.1f} dB)"
            )
        return [Suggestion("empathy", _sentence(phrase, self.script.language), "; ".join(why), self._now)]

    def _silent_prompt(self) -> list[Suggestion]:
        procedure, caller = self._silent, self._caller
        if procedure is None or self._agent_first_end is None or caller.closed:
            return []
        if caller.last_sound is not None and caller.last_sound > self._agent_first_end:
            return []  # the procedure is for a caller who never answers the greeting, not a pause later
        quiet_since = max(self._agent_first_end, caller.last_sound or 0.0)
        quiet_s = self._now - quiet_since
        if quiet_s < procedure.silent_s * (caller.prompts + 1):
            return []
        caller.prompts += 1
        reason = f"the caller has been silent for {quiet_s:.0f} s"
        if caller.prompts <= procedure.min_prompts and procedure.prompts:
            phrase = procedure.prompts[(caller.prompts - 1) % len(procedure.prompts)]
            return [
                Suggestion(
                    "silent_caller", _sentence(phrase, self.script.language), reason, self._now, "prompt"
                )
            ]
        caller.closed = True
        close = procedure.close[0] if procedure.close else ""
        return [
            Suggestion("silent_caller", _sentence(close, self.script.language), reason, self._now, "close")
        ]

    # -- agent --------------------------------------------------------------------------------------

    def _forbidden_remarks(self, segment: Segment) -> list[Suggestion]:
        found = find_violations(Transcript((segment,), segment.end), self._forbidden)
        return [
            Suggestion(
                "forbidden",
                self._forbidden.instead.get(v.category, ""),
                f"“{v.text}” is a {v.category.replace('_', ' ')} remark (like “{v.matched_phrase}”)"
                + (f"; {v.note}" if v.note else ""),
                self._now,
                v.category,
            )
            for v in found
        ]

    def _update(self, turn: Turn | None, suggestions: list[Suggestion]) -> Update:
        return Update(
            self._now, turn, tuple(suggestions), tuple(self._ticks.values()), self._closing_from is not None
        )


def _sentence(phrase: str, language: str) -> str:
    """A lower-case script phrase as a sentence to read out ("i am sorry" → "I am sorry")."""
    if language != "en" or not phrase:
        return phrase
    text = re.sub(r"\bi\b", "I", phrase)
    return text[0].upper() + text[1:]
