"""Live agent assist: a pure, event-driven reading of a call while it happens.

Utterance events go in (`Assistant.hear`, one per utterance as it ends, either leg) with the clock of the
call (`Assistant.advance`, stream seconds); out come `Update`s: the turn as shown, the live script checklist
and suggestions, each with the reason it was made. No audio, no I/O: the caller decodes and measures voice.

When a suggestion is due is decided here; its wording (`qa.suggestions`) comes from the active script and
phrase lists, English and Chinese alike:
- greeting: the opening check's required elements not heard beyond doubt once the opening is over (the
  caller has started to speak, or the opening window of the check has passed);
- closing: the closing check's missing elements once the call winds down (the closing phase: the first
  utterance of either side in which a closing phrase is heard beyond doubt — "anything else?", "bye");
- empathy: a sentence of the empathy list when the caller's utterance reads negative or they sound agitated
  (pitch and loudness risen over their own first utterances, `qa.acoustic.is_agitated`);
- forbidden: the approved wording (`instead` of the forbidden-phrase file) when the agent says a remark of a
  forbidden category;
- silent caller: the script's prompts, then its polite close, when the caller leg stays quiet for the
  procedure's `silent_s` after the agent's first turn (and again after each prompt).

An utterance that continues the speaker's previous one after a short pause (the stream cuts long speech at
inner pauses) is read joined to it, as offline transcripts have it: a phrase cut in two is still heard.
Ticks follow the offline evidence rules: an element counts when `qa.checks.run_check` finds it and
`qa.checks.presence_doubt` has no doubt about it (a loose fuzzy match is not a tick); closing elements only
in the closing phase. `Assistant.end` gives the offline verdicts on the whole call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

from qa import suggestions as say
from qa.acoustic import is_agitated
from qa.checks import CheckResult, presence_doubt, run_check, run_checks
from qa.matching import find_phrase, tokenize_segments
from qa.phrases import PhraseSet
from qa.script import SILENT_CALLER, CheckDef, Script, SilentCallerDef
from qa.sentiment import Label, SentimentModel
from qa.suggestions import Suggestion
from transcription.recognizer import Segment, Speaker, Transcript, Word

JOIN_S = 1.0
"""A speaker's utterance starting less than this (s) after their previous one ends continues it."""
BASELINE_TURNS = 2
"""The caller's first utterances with a measurable voice: their pitch and loudness are the baseline an
utterance's rise is measured against."""


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
        self._empathy = empathy
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
        self._opening_phrases = tuple(p for c in self._opening for e in c.elements for p in e.phrases)
        silent = script.procedures.get(SILENT_CALLER)
        self._silent = silent if isinstance(silent, SilentCallerDef) else None

    # -- events -------------------------------------------------------------------------------------

    def hear(self, heard: HeardUtterance) -> Update:
        """Take one finished utterance; the update shows it with whatever it changed."""
        self._now = max(self._now, heard.end)
        segment, joined_after = self._join(
            Segment(heard.speaker, heard.start, heard.end, heard.text, heard.words)
        )
        suggestions: list[Suggestion] = []
        turn = Turn(heard.speaker, heard.start, heard.end, heard.text)
        if heard.speaker == "agent":
            first = self._agent_first_end
            if first is None or (joined_after is not None and joined_after <= first):
                self._agent_first_end = segment.end  # the first turn, or its continuation after a pause
            suggestions += say.forbidden_remarks(segment, self._forbidden, self._now, after=joined_after)
        else:
            self._caller.last_sound = max(self._caller.last_sound or 0.0, heard.end)
            turn = self._caller_turn(heard)
            suggestions += self._empathy_for(turn)
            if self._agent_first_end is not None:
                self._opening_over = True
        if self._closing_from is None and self._winds_down(segment):
            self._closing_from = segment.start
        self._tick_checks()
        suggestions += self._missing_suggestions()
        return self._update(turn, suggestions)

    def _join(self, segment: Segment) -> tuple[Segment, float | None]:
        """Store `segment`; an utterance that goes on the speaker's previous one after a pause shorter than
        JOIN_S (the stream cuts long speech at inner pauses) is stored joined to it, as offline transcripts
        have it, so phrases cut in two are still heard. (The segment as stored, the end of the part joined to
        or None.)"""
        previous = next((s for s in reversed(self._segments) if s.speaker == segment.speaker), None)
        # word times may overlap a little across the cut: a part starting before the previous one ended
        # still continues it
        if previous is None or not previous.start <= segment.start < previous.end + JOIN_S:
            self._segments.append(segment)
            self._segments.sort(key=lambda s: s.start)
            return segment, None
        joined = Segment(
            segment.speaker,
            previous.start,
            segment.end,
            f"{previous.text} {segment.text}",
            previous.words + segment.words,
        )
        self._segments[self._segments.index(previous)] = joined
        return joined, previous.end

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
            since = tuple(s for s in self._segments if s.end > self._closing_from)
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
        the call winds down. Words an opening phrase also covers do not count: "thank you for calling
        Bluebird Bank" is the closing's thanks and the greeting's salutation, and opens calls as often as
        it closes them (also when the greeting comes in two turns)."""
        if segment.speaker == "agent" and segment.end <= (self._agent_first_end or 0.0):
            return False
        tokens = tokenize_segments([segment])
        threshold = self.script.threshold
        opening = [m for p in self._opening_phrases for m in find_phrase(p, tokens, threshold=threshold)]
        return any(
            match.weakness(threshold) is None
            and not any(
                o.first_token <= match.last_token and match.first_token <= o.last_token for o in opening
            )
            for check in self._closing
            for element in check.elements
            for phrase in element.phrases
            for match in find_phrase(phrase, tokens, threshold=threshold)
        )

    def _missing_suggestions(self) -> list[Suggestion]:
        due: list[tuple[CheckDef, str]] = []
        if self._opening_over:
            due += [(c, "not heard in the opening") for c in self._opening]
        if self._closing_from is not None:
            due += [(c, "the call is winding down and it is not heard yet") for c in self._closing]
        found = []
        for check, why in due:
            for element in check.elements:
                key = (check.name, element.name)
                if not element.required or self._ticks[key].ticked or key in self._suggested:
                    continue
                self._suggested.add(key)
                found.append(say.missing_element(self.script, check, element, why, self._now))
        return found

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
        if not (self._empathy.say or self._empathy.groups) or not (turn.sentiment == "neg" or turn.agitated):
            return []
        self._empathy_next += 1
        return [
            say.empathy(
                self._empathy,
                self._empathy_next - 1,
                self.script.language,
                self._now,
                text=turn.text,
                sentiment=turn.sentiment,
                pitch_change_st=turn.pitch_change_st if turn.agitated else None,
                loudness_change_db=turn.loudness_change_db if turn.agitated else None,
            )
        ]

    def _silent_prompt(self) -> list[Suggestion]:
        procedure, caller = self._silent, self._caller
        if procedure is None or self._agent_first_end is None or caller.closed:
            return []
        if caller.last_sound is not None and caller.last_sound > self._agent_first_end:
            return []  # the procedure is for a caller who never answers the greeting, not a pause later
        quiet_s = self._now - max(self._agent_first_end, caller.last_sound or 0.0)
        if quiet_s < procedure.silent_s * (caller.prompts + 1):
            return []
        caller.prompts += 1
        suggestion = say.silent_caller(procedure, caller.prompts, quiet_s, self.script.language, self._now)
        caller.closed = suggestion.element == "close"
        return [suggestion]

    def _update(self, turn: Turn | None, suggestions: list[Suggestion]) -> Update:
        return Update(
            self._now, turn, tuple(suggestions), tuple(self._ticks.values()), self._closing_from is not None
        )
