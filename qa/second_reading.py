"""Two decodings of one check's window, one verdict: how a second reading confirms or doubts a check.

Pure QA: the caller decodes (`callqa.second_opinion`), this module judges.
"""

from __future__ import annotations

from dataclasses import replace

from qa.absence import window_span
from qa.checks import CONFIRMED_CONFIDENCE, UNCERTAIN_CONFIDENCE, CheckResult, reason_for
from qa.elements import window_tokens
from qa.script import CheckDef
from transcription.recognizer import Transcript


def check_span(transcript: Transcript, check: CheckDef) -> tuple[float, float] | None:
    """The stretch of the call (s) where `check` looks: what a second decoding must cover (None when the
    speaker said nothing there)."""
    tokens = window_tokens(transcript, check.speaker, check.window)
    return window_span(transcript, tokens, check.window.first_s)


def second_opinion(first: CheckResult, second: CheckResult) -> CheckResult:
    """Combine a check's verdict with the same check run on a second decoding of its window.

    Recognisers drop and garble words; they almost never invent a whole script phrase. So a reading that
    heard every element clearly (a certain PASS) decides, whatever the other missed; two readings that
    both find an element missing beyond doubt make a certain FAIL; anything else is UNCERTAIN, leaning to
    the reading that found the elements."""
    if first.passed or second.passed:
        found = first if first.state == "pass" or not second.passed else second
        other = second if found is first else first
        if found.state == "pass":
            note = (
                "confirmed by a second decoding"
                if other.passed
                else f"{'a second' if found is second else 'the first'} decoding heard every element "
                f"clearly; the other missed {', '.join(other.missing)}"
            )
            return replace(
                found,
                reason=reason_for(True, [], [], note),
                confidence=max(found.confidence, CONFIRMED_CONFIDENCE),
                doubts=[],
            )
        doubts = [
            *found.doubts,
            "a second decoding "
            + ("is unsure too" if other.passed else f"missed {', '.join(other.missing)}"),
        ]
        return replace(
            found,
            state="uncertain",
            reason=reason_for(True, [], doubts),
            confidence=min(found.confidence, UNCERTAIN_CONFIDENCE),
            doubts=doubts,
        )
    if first.state == "fail" and second.state == "fail":
        return replace(
            first,
            reason=reason_for(False, first.missing, [], "confirmed by a second decoding"),
            confidence=max(first.confidence, second.confidence, CONFIRMED_CONFIDENCE),
        )
    doubts = [*first.doubts, *second.doubts]
    if second.state != "uncertain":
        doubts.append("a second decoding finds it missing")
    return replace(
        first,
        state="uncertain",
        reason=reason_for(False, first.missing, doubts),
        confidence=min(first.confidence, UNCERTAIN_CONFIDENCE),
        doubts=doubts,
    )
