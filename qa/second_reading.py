"""Two decodings of one check's window, one verdict: how a second reading confirms or doubts a check.

Pure QA: the caller decodes (`callqa.second_opinion`), this module judges.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Literal

from qa.absence import UNHEARD_SPEECH, window_span
from qa.checks import CONFIRMED_CONFIDENCE, UNCERTAIN_CONFIDENCE, CheckResult, reason_for
from qa.elements import COMPANY_HEARD_CLOSE, NAME_ONLY, OTHER_NAME, ElementResult, window_tokens
from qa.intent_evidence import ModelMatch
from qa.matching import LOW_CONFIDENCE
from qa.script import CheckDef
from qa.work_number import NUMBER_ONLY, OTHER_NUMBER
from transcription.recognizer import Transcript

Heard = Literal["clear", "unsure", "doubtful", "other", "missing"]
_SOMETHING_ELSE = (OTHER_NAME, OTHER_NUMBER, NUMBER_ONLY)
"""Element notes that say what was heard differs from what the script asks (another name, another number,
a bare number): a doubt about what the agent said, which no count of readings settles."""
_MISHEARD_NAME = (NAME_ONLY, COMPANY_HEARD_CLOSE)
"""Element notes of a name the recogniser may have garbled or echoed from its hints: a doubt about the
recogniser, which a second model hearing the same settles."""


def heard(result: CheckResult, threshold: float) -> dict[str, Heard]:
    """How `result`'s reading heard each element: "clear" (found, no doubt names it); "unsure" (found, and
    the only doubt is the recogniser's: a listed phrase matched clearly — `threshold` (0–100) plus the
    margin — in words heard at low confidence, the agent's name alone, a close reading of the company);
    "doubtful" (found on words that are themselves in doubt: a near-threshold match, the sentence model
    alone, a next-best hypothesis); "other" (another name or number than the script asks); "missing". A
    check's doubts each begin with the element's name (`qa.checks`); a found element's are read also
    where the verdict is a FAIL that did not rest on it (`CheckResult.found_doubts`)."""
    doubts = [*result.doubts, *result.found_doubts]
    return {e.name: _heard_element(e, doubts, threshold) for e in result.elements}


def _heard_element(element: ElementResult, doubts: Collection[str], threshold: float) -> Heard:
    if not element.found:
        return "missing"
    if element.note in _SOMETHING_ELSE:
        return "other"
    if not any(d.startswith((f"{element.name} ", f"{element.name}:")) for d in doubts):
        return "clear"
    ev = element.evidence
    if element.note in _MISHEARD_NAME or (
        not element.note
        and ev is not None
        and not isinstance(ev, ModelMatch)
        and ev.weakness(threshold, conf_matters=False) is None
    ):
        return "unsure"
    return "doubtful"


def corroborated(
    first: CheckResult, second: CheckResult, threshold: float, required: Collection[str] | None = None
) -> list[str] | None:
    """The `required` elements (default: all) both readings heard unsurely, when together the two readings
    hear every required element — clearly in at least one, or "unsure" (the recogniser's doubt only) in
    both; None when some element is not heard so. Two decoders by different models seldom write the same
    script phrase in a window where it was not said; words both heard that only nearly match a phrase
    are no better for being heard twice, so those are not corroborated."""
    one, two = heard(first, threshold), heard(second, threshold)
    names = [n for n in one if required is None or n in required]
    if any(not ("clear" in (one.get(n), two.get(n)) or one.get(n) == two.get(n) == "unsure") for n in names):
        return None
    return [n for n in names if "clear" not in (one.get(n), two.get(n))]


def check_span(transcript: Transcript, check: CheckDef) -> tuple[float, float] | None:
    """The stretch of the call (s) where `check` looks: what a second decoding must cover (None when the
    speaker said nothing there)."""
    tokens = window_tokens(transcript, check.speaker, check.window)
    return window_span(transcript, tokens, check.window.first_s)


def second_opinion(
    first: CheckResult,
    second: CheckResult,
    *,
    threshold: float | None = None,
    required: Collection[str] | None = None,
    by_name: Collection[str] = (),
) -> CheckResult:
    """Combine a check's verdict with the same check run on a second decoding of its window (`threshold`:
    the script's phrase-match threshold 0–100, None: no element-wise corroboration; `required`: the
    check's required elements, default all; `by_name`: the elements heard by a name the first decoding
    was given as a hint and the second was not, the company's and the agent's).

    Recognisers drop and garble words; they almost never invent a whole script phrase. So a reading that
    heard every element clearly (a certain PASS) decides, whatever the other missed; so do two readings
    that between them hear every element, each clearly in one of them or in both (`corroborated`); two
    readings that both find the same element missing beyond doubt make a certain FAIL (`sure_missing`:
    each reading's FAIL may rest on another element, and a FAIL on two places each heard unclearly by one
    reading is no FAIL heard clearly: held-out F's "Good evening, Dunmore Lettings" was the first's
    missing salutation and the second's missing company); so does one reading's element missing beyond
    doubt where the other doubts it only because its recogniser left the speech there without words
    (`_lost_by_other`); anything else is
    UNCERTAIN, leaning to the reading that found the elements. An uncertain check that leans PASS only on
    words resembling its missing elements, or on one element lost in a garbled stretch
    (`qa.checks.run_check`), found nothing: it keeps that lean unless the other reading refutes it
    (`_refutes`)."""
    if threshold is not None and first.state != "pass" and second.state != "pass":
        both = corroborated(first, second, threshold, required)
        if both is not None:
            return _heard_together(first, second, both, threshold)
    if _heard_all(first) or _heard_all(second):
        found = first if first.state == "pass" or not _heard_all(second) else second
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
    doubts = [*first.doubts, *second.doubts]
    for failed, lost_it in ((first, second), (second, first)):
        lost = _lost_by_other(failed, lost_it, required, by_name)
        if lost:
            which = "first" if lost_it is first else "second"
            return replace(
                failed,
                reason=reason_for(
                    False,
                    failed.missing,
                    [],
                    f"the {which} decoding left speech without words where the other heard "
                    f"{', '.join(lost)} missing",
                ),
                confidence=max(failed.confidence, CONFIRMED_CONFIDENCE),
            )
    if first.state == "fail" and second.state == "fail":
        if _absent_in_both(first, second, required, threshold) or _absent_in_both(
            second, first, required, threshold
        ):
            return replace(
                first,
                reason=reason_for(False, first.missing, [], "confirmed by a second decoding"),
                confidence=max(first.confidence, second.confidence, CONFIRMED_CONFIDENCE),
            )
        one, two = ", ".join(sure_missing(first, required)), ", ".join(sure_missing(second, required))
        doubts.append(f"each decoding finds another element missing beyond doubt (first {one}; second {two})")
    elif second.state != "uncertain":
        doubts.append("a second decoding finds it missing")
    lean = (
        (first.passed or second.passed)
        and not _refutes(first, second, threshold, by_name)
        and not _refutes(second, first, threshold, ())
    )
    return replace(
        first,
        passed=lean,
        state="uncertain",
        reason=reason_for(lean, first.missing, doubts),
        confidence=min(first.confidence, UNCERTAIN_CONFIDENCE),
        doubts=doubts,
    )


def _heard_together(
    first: CheckResult, second: CheckResult, both: list[str], threshold: float
) -> CheckResult:
    """A certain PASS from two readings that together hear every element: each element's evidence from
    the reading that heard it best; the reason names what the second reading heard clearly that the first
    did not, and what both heard unsurely."""
    one, two = heard(first, threshold), heard(second, threshold)
    rank = {"clear": 0, "unsure": 1, "doubtful": 2, "other": 3, "missing": 4}
    theirs = {e.name: e for e in second.elements}
    elements = [
        theirs[e.name] if e.name in theirs and rank[two[e.name]] < rank[one[e.name]] else e
        for e in first.elements
    ]
    second_only = [n for n in one if one[n] != "clear" and two.get(n) == "clear"]
    notes = [
        *([f"{', '.join(second_only)} heard clearly by the second decoding"] if second_only else []),
        *([f"{', '.join(both)} heard by both decodings"] if both else []),
    ]
    return replace(
        first,
        passed=True,
        state="pass",
        elements=elements,
        reason=reason_for(True, [], [], "; ".join(notes) or "every element heard clearly by one decoding"),
        confidence=max(first.confidence, second.confidence, CONFIRMED_CONFIDENCE),
        doubts=[],
    )


def sure_missing(result: CheckResult, required: Collection[str] | None = None) -> list[str]:
    """The `required` elements (default: all) `result`'s reading finds missing beyond doubt: missing, and
    no reason to doubt the absence names them (`CheckResult.missing_doubts`)."""
    return [n for n in result.missing if (required is None or n in required) and not _doubts_of(result, n)]


def _doubts_of(result: CheckResult, name: str) -> list[str]:
    """`result`'s reasons to doubt that element `name` is missing (`CheckResult.missing_doubts` begin with
    the element's name)."""
    return [d for d in result.missing_doubts if d.startswith(f"{name}:")]


def _absent_in_both(
    one: CheckResult, other: CheckResult, required: Collection[str] | None, threshold: float | None
) -> bool:
    """Whether an element `one` finds missing beyond doubt had its place heard clearly by `other` too:
    `other` finds it missing beyond doubt, or found it only by a loose match (`heard`: "doubtful") on words
    it heard surely ("you will see anything of your guys" for an offer of help never made), which its FAIL
    did not rest on. A reading that doubts the absence (it heard a sound-alike, a garbled stretch, speech
    without words where the element belongs) did not hear its place clearly."""
    loose = heard(other, threshold) if threshold is not None else {}
    theirs = {e.name: e for e in other.elements}
    also_sure = sure_missing(other, required)
    return any(
        n in also_sure
        or (
            loose.get(n) == "doubtful"
            and (ev := theirs[n].evidence) is not None
            and ev.mean_conf >= LOW_CONFIDENCE
        )
        for n in sure_missing(one, required)
    )


def _lost_by_other(
    one: CheckResult, other: CheckResult, required: Collection[str] | None, by_name: Collection[str]
) -> list[str]:
    """Elements a failing reading `one` finds missing beyond doubt that `other` lacks too, doubting their
    absence only because its recogniser left speech without words there (`UNHEARD_SPEECH`): `one`
    heard that speech (else it would doubt the same) and found the element missing, and `other`
    says nothing against it. Not an element heard by a name (`by_name`), which the unhinted second
    decoding misses where it was said (see `_refutes`). Held-out G-007, G-021 and F-021: "Uh-huh, carry
    on." lost by the hinted first decoding and heard by whisper base, an opening without a greeting."""
    if one.state != "fail":
        return []
    lost = []
    for name in sure_missing(one, required):
        theirs = _doubts_of(other, name)
        unheard = all(d.startswith(f"{name}: {UNHEARD_SPEECH}") for d in theirs)
        if name not in by_name and name in other.missing and theirs and unheard:
            lost.append(name)
    return lost


def _refutes(
    leaning: CheckResult, failed: CheckResult, threshold: float | None, by_name: Collection[str]
) -> bool:
    """Whether `failed`, a FAIL, refutes the other reading's lean PASS (`leaning`): it finds missing
    beyond doubt an element `leaning` did not hear by a listed phrase matched clearly either (see
    `heard`: "doubtful" or "missing"), and not one heard `by_name`. The second decoding gets no name
    hints, so where the first, hinted, garbled a name it seldom writes one: on the first decodes of dev,
    A, C and closing's probe, every greeting lacking only a name in a garbled opening whose second
    reading found the name missing had it said (A-016, C-001, -021, -033). A listed phrase matched
    clearly ("hello" at 0.36) is the failing decoding's miss, not the agent's; so is an element the
    leaning reading found where the failing one lacks it (closing's probe: the second reading heard
    "thanks for showing", "good boy" where the first, a FAIL, had lost the thanks and goodbye said)."""
    if failed.state != "fail":
        return False
    if threshold is None:
        return True
    heard_there = heard(leaning, threshold)
    return any(
        n not in by_name and heard_there.get(n, "missing") in ("doubtful", "missing") for n in failed.missing
    )


def _heard_all(result: CheckResult) -> bool:
    """Every required element found (a PASS, certain or uncertain), not a lean on resemblance alone."""
    return result.passed and not result.missing
