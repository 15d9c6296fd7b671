"""Script compliance checks (greeting, closing, any check a script defines), with evidence.

A check passes when every required element is heard from the check's speaker inside its window. Its state
is "uncertain" when the verdict hinges on weak evidence: a match barely above the similarity threshold,
words the recognizer was unsure of, or a missing element that nearly matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from qa.matching import Match, Token, best_match, tokenize_segments
from qa.script import CheckDef, ElementDef, Script, Window
from transcription.recognizer import Transcript

State = Literal["pass", "fail", "uncertain"]
ALTERNATIVE_NOTE = "heard in an n-best alternative, not the best hypothesis"
COMPANY_BY_STRUCTURE = "company name not configured: judged by structure"
COMPANY_HEARD_CLOSE = "a close reading of the company name, where the greeting names a company"
NEAR_MISS = 12.0

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

    @property
    def missing(self) -> list[str]:
        return [e.name for e in self.elements if not e.found]

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "state": self.state,
            "missing": self.missing,
            "reason": self.reason,
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
) -> ElementResult:
    window = element.window or check_window
    if element.window is not None:
        tokens = window_tokens(transcript, speaker, element.window)
    match = best_match(element.phrases, tokens, threshold=threshold) if element.phrases else None
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


def run_check(transcript: Transcript, check: CheckDef, script: Script) -> CheckResult:
    """Evaluate one script check on `transcript`."""
    tokens = window_tokens(transcript, check.speaker, check.window)
    results: dict[str, ElementResult] = {}
    deferred: list[ElementDef] = []
    for element in check.elements:
        if element.needs == "company":
            deferred.append(element)
            continue
        results[element.name] = _element(
            element, tokens, script.threshold, transcript, check.speaker, check.window
        )
    for element in deferred:
        structure = company_said(
            tokens,
            results["salutation"].evidence if "salutation" in results else None,
            results["self_id"].evidence if "self_id" in results else None,
        )
        if not element.phrases:
            results[element.name] = ElementResult(
                element.name, structure is not None, structure, note=COMPANY_BY_STRUCTURE
            )
            continue
        result = _element(element, tokens, script.threshold, transcript, check.speaker, check.window)
        if not result.found and structure is not None:
            # Names are what recognisers garble most ("Harbor Mountain" for "Harbor Bank"): a close
            # reading where the greeting names a company counts, and the check says it is uncertain.
            near = best_match(element.phrases, tokens, threshold=script.threshold - NEAR_MISS)
            if near is not None and _overlap(near, structure):
                result = ElementResult(element.name, True, near, note=COMPANY_HEARD_CLOSE)
        results[element.name] = result
    ordered = [results[e.name] for e in check.elements]
    required = {e.name for e in check.elements if e.required}
    passed = all(r.found for r in ordered if r.name in required)
    uncertain_reasons = []
    for element, result in zip(check.elements, ordered, strict=True):
        ev = result.evidence
        if result.note == ALTERNATIVE_NOTE:
            uncertain_reasons.append(f"{element.name} only in a next-best hypothesis")
            continue
        if result.note == COMPANY_HEARD_CLOSE:
            uncertain_reasons.append(f"{element.name} heard as “{ev.text if ev else ''}”")
            continue
        # Names given to the recogniser as hints (the company) come back with near-zero word probability
        # however clearly they were said, so their confidence says nothing; judge them by the text.
        weakness = ev.weakness(script.threshold, conf_matters=element.needs is None) if ev else None
        if weakness:
            uncertain_reasons.append(f"{element.name} heard with {weakness}")
        if (
            not result.found
            and element.phrases
            and best_match(element.phrases, tokens, threshold=script.threshold - NEAR_MISS)
        ):
            uncertain_reasons.append(f"{element.name} nearly matched")
    missing = [r.name for r in ordered if not r.found and r.name in required]
    reason = "all elements present" if passed else "missing: " + ", ".join(missing)
    if uncertain_reasons:
        reason += "; uncertain: " + "; ".join(uncertain_reasons)
    state: State = "uncertain" if uncertain_reasons else ("pass" if passed else "fail")
    return CheckResult(check.name, passed, state, ordered, reason)


def _overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def run_checks(transcript: Transcript, script: Script) -> dict[str, CheckResult]:
    """Every check the script defines, by name."""
    return {name: run_check(transcript, check, script) for name, check in script.checks.items()}
