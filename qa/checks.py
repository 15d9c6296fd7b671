"""Script compliance checks (greeting, closing, any check a script defines), with evidence.

A check passes when every required element is heard from the check's speaker inside its window. Its state
is "uncertain" when the verdict hinges on weak evidence: a match barely above the similarity threshold,
words the recognizer was unsure of, or a missing element that nearly matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from qa.absence import Span, absence_doubts, window_span
from qa.element_evidence import ElementJudge, WindowReading, window_sentences
from qa.matching import Match, Token, best_match, normalize, tokenize_segments
from qa.metrics import Activity
from qa.names import find_name, name_match
from qa.never import NEVER_HEARD, find_never, never_doubts
from qa.script import CheckDef, ElementDef, Script, Window
from qa.work_number import NUMBER_ONLY, OTHER_NUMBER, find_work_number
from transcription.recognizer import Transcript

State = Literal["pass", "fail", "uncertain"]
ALTERNATIVE_NOTE = "heard in an n-best alternative, not the best hypothesis"
COMPANY_BY_STRUCTURE = "company name not configured: judged by structure"
COMPANY_HEARD_CLOSE = "a close reading of the company name, where the greeting names a company"
OTHER_NAME = "an introduction, but not of the agent's name"
NAME_ONLY = "the agent's name heard without an introduction around it"
BY_MEANING = "no listed phrase; a sentence the model reads as this element"
NEAR_MISS = 12.0
UNCERTAIN_CONFIDENCE = 0.6
"""Stated confidence (0–1) is capped here for an UNCERTAIN verdict: a coin a person should look at."""
CONFIRMED_CONFIDENCE = 0.9
"""Stated confidence (0–1), at least, of a verdict two decodings agree on."""

# Words that can sit between a salutation and a self-introduction without naming anything.
_FILLER = frozenset(
    {
        *("and", "the", "a", "an", "to", "you", "this", "is", "it", "my", "name", "i", "am", "so", "well"),
        *("um", "uh", "yes", "hi", "hello", "oh", "thank", "thanks", "for", "calling", "welcome"),
        *("good", "morning", "afternoon", "evening", "day"),
    }
)
# Words that start the offer of help ("how can I help"), which ends the company slot of a greeting.
_OFFER_START = frozenset(["how", "what", "may", "can", "who", "is"])


@dataclass(frozen=True)
class ElementResult:
    name: str
    found: bool
    evidence: Match | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "found": self.found,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    state: State
    elements: list[ElementResult] = field(default_factory=list)
    reason: str = ""
    confidence: float = 1.0
    """How sure the verdict is (0–1): the weakest required element's evidence, or how clearly the place
    of a missing element was heard; at most UNCERTAIN_CONFIDENCE when the state is uncertain."""
    doubts: list[str] = field(default_factory=list)
    """Why the verdict is uncertain, one reason each (empty when it is certain); also in `reason`."""

    @property
    def missing(self) -> list[str]:
        return [e.name for e in self.elements if not e.found]

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "state": self.state,
            "confidence": self.confidence,
            "missing": self.missing,
            "reason": self.reason,
            "doubts": list(self.doubts),
            "elements": [e.to_dict() for e in self.elements],
        }


def window_tokens(transcript: Transcript, speaker: str, w: Window) -> list[Token]:
    """Tokens of `speaker` inside window `w` (see the script schema)."""
    indexed = [(i, s) for i, s in enumerate(transcript.segments) if s.speaker == speaker]
    if w.first_s is not None:
        chosen = [(i, s) for i, s in indexed if s.start < w.first_s]
    elif w.last_turns is not None or w.last_s is not None:
        keep: set[int] = set()
        if w.last_turns:
            keep.update(i for i, _ in indexed[-w.last_turns :])
        if w.last_s is not None and indexed:
            last_end = indexed[-1][1].end
            keep.update(i for i, s in indexed if s.start >= last_end - w.last_s)
        chosen = [(i, s) for i, s in indexed if i in keep]
    else:
        chosen = indexed
    tokens = tokenize_segments([s for _, s in chosen], [i for i, _ in chosen])
    if w.first_s is not None:
        tokens = [t for t in tokens if t.start < w.first_s]
    return tokens


def company_said(tokens: list[Token], salutation: Match | None, self_id: Match | None) -> Match | None:
    """Structural evidence that a company was named when the script does not know the company's name.

    Looks for content words between the salutation and the self-introduction (or the offer of help),
    or after "from/at/with" following the self-introduction.
    """
    spans: list[tuple[int, int]] = []
    if salutation is not None:
        begin = salutation.last_token + 1
        if self_id is not None and self_id.first_token > salutation.last_token:
            end = self_id.first_token
        else:
            end = begin
            while end < len(tokens) and tokens[end].segment == salutation.segment:
                if tokens[end].text in _OFFER_START:
                    break
                end += 1
        spans.append((begin, end))
    if self_id is not None:
        after = self_id.last_token + 1
        if after < len(tokens) and tokens[after].text in {"from", "at", "with"}:
            end = after + 1
            while end < len(tokens) and tokens[end].segment == self_id.segment and end < after + 4:
                if tokens[end].text in _OFFER_START:
                    break
                end += 1
            spans.append((after + 1, end))
    for begin, end in spans:
        words = [t for t in tokens[begin:end] if t.text not in _FILLER]
        if words:
            return Match(
                phrase="<company>",
                text=" ".join(t.text for t in words),
                start=words[0].start,
                end=words[-1].end,
                score=100.0,
                segment=words[0].segment,
                mean_conf=sum(t.conf for t in words) / len(words),
                first_token=tokens.index(words[0]),
                last_token=tokens.index(words[-1]),
            )
    return None


def _element(
    element: ElementDef,
    tokens: list[Token],
    threshold: float,
    transcript: Transcript,
    speaker: str,
    check_window: Window,
    reading: WindowReading | None,
) -> ElementResult:
    window = element.window or check_window
    if element.window is not None:
        tokens = window_tokens(transcript, speaker, element.window)
        if reading is not None:
            reading = WindowReading(
                reading.judge,
                window_sentences(transcript, speaker, tokens, element.window.first_s),
                tokens,
                reading.hinted,
            )
    match = best_match(element.phrases, tokens, threshold=threshold) if element.phrases else None
    weak = match is not None and match.weakness(threshold, conf_matters=element.needs is None) is not None
    if reading is not None and (match is None or weak):
        meant = reading.evidence(element.name)
        if meant is not None and (match is None or meant.weakness(threshold) is None):
            # A loose or unsure phrase match that the sentence model reads as the element beyond doubt
            # is clear evidence: two independent readings of the same words agree.
            return ElementResult(element.name, True, meant, note=BY_MEANING)
    if match is None and element.phrases:
        match = _in_alternatives(element, transcript, speaker, window, threshold)
        if match is not None:
            return ElementResult(element.name, True, match, note=ALTERNATIVE_NOTE)
    return ElementResult(element.name, match is not None, match)


def _in_alternatives(
    element: ElementDef, transcript: Transcript, speaker: str, window: Window, threshold: float
) -> Match | None:
    """The element in the engine's next-best hypotheses (Vosk n-best), searched the same way."""
    depth = max((len(s.alternatives) for s in transcript.segments if s.speaker == speaker), default=0)
    for rank in range(depth):
        segments = tuple(
            replace(s, text=s.alternatives[rank], words=()) if len(s.alternatives) > rank else s
            for s in transcript.segments
        )
        tokens = window_tokens(replace(transcript, segments=segments), speaker, window)
        match = best_match(element.phrases, tokens, threshold=threshold)
        if match is not None:
            return match
    return None


def _agent_element(
    element: ElementDef, tokens: list[Token], threshold: float, agent_name: str
) -> ElementResult:
    """An element that names the agent (`needs: agent`) when the agent's name is known: the name must be
    heard, by spelling or by sound; an introduction frame around another word is doubtful, and the name
    heard without a frame still identifies the agent."""
    frame = best_match(element.phrases, tokens, threshold=threshold) if element.phrases else None
    name = find_name(tokens, agent_name)
    if frame is not None:
        inside = find_name(tokens[frame.first_token : frame.last_token + 1], agent_name)
        if inside is not None or name is not None:
            return ElementResult(element.name, True, frame)
        return ElementResult(element.name, True, frame, note=OTHER_NAME)
    if name is not None:
        return ElementResult(element.name, True, name_match(tokens, name), note=NAME_ONLY)
    return ElementResult(element.name, False)


def _number_element(
    element: ElementDef, tokens: list[Token], threshold: float, agent_number: str
) -> ElementResult:
    evidence, note = find_work_number(element.phrases, tokens, threshold, agent_number)
    return ElementResult(element.name, evidence is not None, evidence, note)


def run_check(
    transcript: Transcript,
    check: CheckDef,
    script: Script,
    *,
    speech: Sequence[Span] | None = None,
    judge: ElementJudge | None = None,
) -> CheckResult:
    """Evaluate one script check on `transcript`. `speech` (speech-energy spans of the check's speaker,
    s) lets a missing element be doubted where the recogniser left speech without words; `judge` reads
    the window's sentences for the elements no listed phrase found (`qa.element_evidence`)."""
    tokens = window_tokens(transcript, check.speaker, check.window)
    hinted = frozenset(normalize(script.company or "") + normalize(script.agent_name or ""))
    reading = (
        WindowReading(
            judge, window_sentences(transcript, check.speaker, tokens, check.window.first_s), tokens, hinted
        )
        if judge is not None
        else None
    )
    results: dict[str, ElementResult] = {}
    deferred: list[ElementDef] = []
    for element in check.elements:
        if element.needs == "company":
            deferred.append(element)
        elif element.needs == "agent" and script.agent_name:
            results[element.name] = _agent_element(element, tokens, script.threshold, script.agent_name)
        elif element.needs == "agent_number" and script.agent_number:
            results[element.name] = _number_element(element, tokens, script.threshold, script.agent_number)
        else:
            results[element.name] = _element(
                element, tokens, script.threshold, transcript, check.speaker, check.window, reading
            )
    for element in deferred:
        results[element.name] = _company_element(element, tokens, results, script, transcript, check)
    for element in check.elements:
        heard = find_never(_tokens_of(element, tokens, transcript, check), element.never)
        if heard is not None:
            results[element.name] = ElementResult(element.name, False, heard, NEVER_HEARD)
    ordered = [results[e.name] for e in check.elements]
    required = {e.name for e in check.elements if e.required}
    passed = all(r.found for r in ordered if r.name in required)
    presence: list[str] = []
    absence: dict[str, list[str]] = {}
    strength: dict[str, float] = {}
    for element, result in zip(check.elements, ordered, strict=True):
        if element.name not in required:
            continue
        if result.found:
            doubt, strength[element.name] = _presence_doubt(element, result, script.threshold)
            if doubt:
                presence.append(doubt)
            continue
        element_tokens = _tokens_of(element, tokens, transcript, check)
        if result.note == NEVER_HEARD and result.evidence is not None:
            absence[element.name] = never_doubts(result.evidence)
            strength[element.name] = _clarity(
                tokens[result.evidence.first_token : result.evidence.last_token + 1]
            )
            continue
        window = element.window or check.window
        reasons = absence_doubts(
            element_tokens,
            element.phrases,
            span=window_span(transcript, element_tokens, window.first_s),
            speech=speech,
            agent_name=script.agent_name if element.needs == "agent" else None,
        )
        if element.phrases and best_match(
            element.phrases, element_tokens, threshold=script.threshold - NEAR_MISS
        ):
            reasons.append("nearly matched")
        meant = reading.doubt(element.name) if reading is not None and not element.window else None
        if meant:
            reasons.append(meant)
        absence[element.name] = reasons
        strength[element.name] = _clarity(element_tokens)
    # A FAIL needs one element missing beyond doubt; a PASS needs every element heard beyond doubt.
    if passed:
        doubts = presence
        confidence = min(strength.values(), default=1.0)
    else:
        sure = [name for name, reasons in absence.items() if not reasons]
        doubts = [] if sure else [f"{name}: {r}" for name, rs in absence.items() for r in rs]
        confidence = max((strength[name] for name in sure), default=min(strength.values()))
    reason = reason_for(passed, list(absence), doubts)
    if doubts:
        confidence = min(confidence, UNCERTAIN_CONFIDENCE)
    state: State = "uncertain" if doubts else ("pass" if passed else "fail")
    return CheckResult(check.name, passed, state, ordered, reason, round(confidence, 3), doubts)


def reason_for(passed: bool, missing: Sequence[str], doubts: Sequence[str], note: str = "") -> str:
    """The verdict in words: what is missing, why it is uncertain, what a second decoding added."""
    reason = "all elements present" if passed else "missing: " + ", ".join(missing)
    if note:
        reason += "; " + note
    if doubts:
        reason += "; uncertain: " + "; ".join(doubts)
    return reason


def _tokens_of(
    element: ElementDef, tokens: list[Token], transcript: Transcript, check: CheckDef
) -> list[Token]:
    """The tokens of `element`'s own window (`tokens`, the check's, when it has none)."""
    return window_tokens(transcript, check.speaker, element.window) if element.window else tokens


def _company_element(
    element: ElementDef,
    tokens: list[Token],
    results: dict[str, ElementResult],
    script: Script,
    transcript: Transcript,
    check: CheckDef,
) -> ElementResult:
    structure = company_said(
        tokens,
        results["salutation"].evidence if "salutation" in results else None,
        results["self_id"].evidence if "self_id" in results else None,
    )
    if not element.phrases:
        return ElementResult(element.name, structure is not None, structure, note=COMPANY_BY_STRUCTURE)
    result = _element(element, tokens, script.threshold, transcript, check.speaker, check.window, None)
    if not result.found and structure is not None:
        # Names are what recognisers garble most ("Harbor Mountain" for "Harbor Bank"): a close
        # reading where the greeting names a company counts, and the check says it is uncertain.
        near = best_match(element.phrases, tokens, threshold=script.threshold - NEAR_MISS)
        if near is not None and _overlap(near, structure):
            result = ElementResult(element.name, True, near, note=COMPANY_HEARD_CLOSE)
    return result


def _presence_doubt(element: ElementDef, result: ElementResult, threshold: float) -> tuple[str | None, float]:
    """(why the found element is doubtful or None, its strength 0–1)."""
    ev = result.evidence
    if result.note == ALTERNATIVE_NOTE:
        return f"{element.name} only in a next-best hypothesis", UNCERTAIN_CONFIDENCE
    if result.note == COMPANY_HEARD_CLOSE:
        return f"{element.name} heard as “{ev.text if ev else ''}”", UNCERTAIN_CONFIDENCE
    if result.note == NAME_ONLY:
        # A hinted recogniser can write the hinted name where it was not said; with no frame around it
        # nothing else in the sentence vouches for it.
        return f"{element.name}: the agent's name heard alone (“{ev.text if ev else ''}”)", 0.5
    if result.note == OTHER_NAME:
        return f"{element.name}: introduced as “{ev.text if ev else ''}”, not the agent's name", 0.5
    if result.note in (OTHER_NUMBER, NUMBER_ONLY):
        return f"{element.name}: {result.note} (“{ev.text if ev else ''}”)", 0.5
    if ev is None:
        return None, 1.0
    # Names given to the recogniser as hints (company, agent) come back with near-zero word probability
    # however clearly they were said, so their confidence says nothing; judge them by the text.
    names = element.needs is not None
    weakness = ev.weakness(threshold, conf_matters=not names)
    margin = min(1.0, max(0.0, (ev.score - threshold) / max(1.0, 100.0 - threshold)))
    conf = 1.0 if names else min(1.0, ev.mean_conf / 0.8)
    strength = 0.6 + 0.4 * margin * conf
    return (f"{element.name} heard with {weakness}" if weakness else None), strength


def _clarity(tokens: Sequence[Token]) -> float:
    """0–1: how clearly the window where an element is missing was heard (mean word confidence)."""
    if not tokens:
        return 1.0
    return min(1.0, 0.6 + 0.4 * sum(t.conf for t in tokens) / len(tokens))


def _overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def run_checks(
    transcript: Transcript,
    script: Script,
    *,
    speech: Activity | None = None,
    judge: ElementJudge | None = None,
) -> dict[str, CheckResult]:
    """Every check the script defines, by name; `speech` holds speech-energy spans (s) per speaker,
    `judge` reads elements by meaning (see `run_check`)."""
    spans = {str(speaker): found for speaker, found in (speech or {}).items()}
    return {
        name: run_check(
            transcript, check, script, speech=spans.get(check.speaker) if speech else None, judge=judge
        )
        for name, check in script.checks.items()
    }
