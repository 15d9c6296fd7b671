"""Procedures a script prescribes for a situation, checked only when the situation arises.

The seed documents' silent caller: when the caller says nothing after the greeting, the agent prompts
("您好，请问能听到吗？"), prompts again, and, if the caller still says nothing, closes politely ("对不起，
听不到您的声音，请您稍后再拨，再见") instead of hanging up in silence. The situation is read from the caller's
leg: no caller word (and, with audio, no caller speech energy) for `silent_s` seconds after the agent's
first turn. The check (named after the procedure) is added to the call's checks only then, so a scorecard
item on it is "not applicable" on every other call.

The seed documents' noisy line: when the caller cannot be heard clearly, the agent says so and asks the
caller to speak up (or to call again from a better line) rather than guessing or going quiet; if the agent
ends the call on it, politely. The situation is read from the caller leg's audio: its speech stands less
than `max_snr_db` above its noise (`qa.acoustic.line_snr_db`) and the caller said something.

Script schema (`procedures.<name>` beside `checks`; parsed by `qa.script`):
    silent_caller:
      silent_s: 8              # caller silence (s) after the agent's first turn that starts the procedure
      min_prompts: 2           # prompts (in separate agent turns) needed before a polite close
      prompts: [...]           # phrases of a prompt ("are you there")
      close: [...]             # phrases of a polite close, in the agent's last turn
    noisy_line:
      max_snr_db: 12           # caller speech-over-noise spread (dB) under which the line is noisy
      min_prompts: 1           # agent turns that tell the caller about the line
      prompts: [...]           # phrases telling the caller ("the line is bad, could you speak up")
      close: [...]             # phrases of a polite close, needed when the last turn is about the line
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.absence import UNHEARD_MIN_S
from qa.checks import UNCERTAIN_CONFIDENCE, CheckResult
from qa.elements import ElementResult
from qa.matching import Match, best_match, tokenize_segments
from qa.metrics import Activity
from qa.script import NOISY_LINE, SILENT_CALLER, NoisyLineDef, Script, SilentCallerDef
from transcription.recognizer import Segment, Transcript


def run_procedures(
    transcript: Transcript,
    script: Script,
    *,
    activity: Activity | None = None,
    caller_snr_db: float | None = None,
) -> dict[str, CheckResult]:
    """The checks of the script's procedures whose situation arose in this call, by name.
    `caller_snr_db` is the caller leg's `qa.acoustic.line_snr_db` (None without audio: no noisy line)."""
    found: dict[str, CheckResult] = {}
    for name, procedure in script.procedures.items():
        result = None
        if isinstance(procedure, SilentCallerDef):
            result = check_silent_caller(transcript, procedure, script.threshold, activity=activity)
        elif isinstance(procedure, NoisyLineDef):
            result = check_noisy_line(transcript, procedure, script.threshold, caller_snr_db)
        if result is not None:
            found[name] = result
    return found


def check_silent_caller(
    transcript: Transcript,
    procedure: SilentCallerDef,
    threshold: float,
    *,
    activity: Activity | None = None,
) -> CheckResult | None:
    """The silent-caller check, or None when the caller was not silent for `procedure.silent_s` after the
    agent's first turn. Passes when the agent prompted (at least once before a caller who spoke at last;
    `min_prompts` times and closed politely in the last turn when the caller never spoke). UNCERTAIN when
    the caller's leg had speech energy the recogniser wrote no words for in the silence (a noisy or
    faint line, not an empty one)."""
    agent = transcript.by_speaker("agent")
    if not agent:
        return None
    silence_from = agent[0].end
    caller = [s for s in transcript.by_speaker("caller") if s.text.strip() and s.end > silence_from]
    answered_at = caller[0].start if caller else None
    if answered_at is not None and answered_at - silence_from < procedure.silent_s:
        return None
    if answered_at is None and transcript.duration_s - silence_from < procedure.silent_s:
        return None
    until = answered_at if answered_at is not None else transcript.duration_s
    waiting = [s for s in agent[1:] if s.start < until]
    prompts = _prompts(waiting, procedure.prompts, threshold)
    needed = 1 if answered_at is not None else procedure.min_prompts
    elements = [
        ElementResult("prompt", bool(prompts), prompts[0] if prompts else None),
        ElementResult(
            "repeat", len(prompts) >= needed, prompts[needed - 1] if len(prompts) >= needed else None
        ),
    ]
    if answered_at is None:
        close = best_match(procedure.close, tokenize_segments(agent[-1:]), threshold=threshold)
        elements.append(ElementResult("polite_close", close is not None, close))
    passed = all(e.found for e in elements)
    missing = [e.name for e in elements if not e.found]
    heard = _unwritten_caller_speech(activity, silence_from, until)
    doubts = [f"the caller's leg had {heard:.1f} s of sound without words"] if heard >= UNHEARD_MIN_S else []
    if passed:
        reason = "prompted" + (" and closed politely" if answered_at is None else "")
    else:
        reason = "missing: " + ", ".join(missing)
    if doubts:
        reason += "; uncertain: " + "; ".join(doubts)
    return CheckResult(
        SILENT_CALLER,
        passed,
        "uncertain" if doubts else ("pass" if passed else "fail"),
        elements,
        reason,
        UNCERTAIN_CONFIDENCE if doubts else 1.0,
        doubts,
    )


def check_noisy_line(
    transcript: Transcript, procedure: NoisyLineDef, threshold: float, caller_snr_db: float | None
) -> CheckResult | None:
    """The noisy-line check, or None when the line was not noisy (or unmeasured) or the caller said
    nothing. Passes when `min_prompts` agent turns tell the caller about the line and, if the agent's last
    turn is one of them (the call ended on the bad line), it closes politely. A FAIL is UNCERTAIN: a
    paraphrase no listed phrase covers is likely on a call nobody scripted."""
    if caller_snr_db is None or caller_snr_db >= procedure.max_snr_db:
        return None
    if not any(s.text.strip() for s in transcript.by_speaker("caller")):
        return None
    agent = transcript.by_speaker("agent")
    prompts = _prompts(agent, procedure.prompts, threshold)
    elements = [
        ElementResult(
            "told_caller",
            len(prompts) >= procedure.min_prompts,
            prompts[procedure.min_prompts - 1] if len(prompts) >= procedure.min_prompts else None,
        )
    ]
    last = len(agent) - 1
    if agent and prompts and prompts[-1].segment == last:
        close = best_match(procedure.close, tokenize_segments(agent[-1:], [last]), threshold=threshold)
        elements.append(ElementResult("polite_close", close is not None, close))
    passed = all(e.found for e in elements)
    line = f"the caller's line: speech {caller_snr_db:.1f} dB above noise"
    reason = (
        f"told the caller about the line ({line})"
        if passed
        else "missing: " + ", ".join(e.name for e in elements if not e.found) + f" ({line})"
    )
    doubts = [] if passed else ["the agent may have said it in words the script does not list"]
    return CheckResult(
        NOISY_LINE,
        passed,
        "pass" if passed else "uncertain",
        elements,
        reason + ("; uncertain: " + doubts[0] if doubts else ""),
        1.0 if passed else UNCERTAIN_CONFIDENCE,
        doubts,
    )


def _prompts(segments: Sequence[Segment], phrases: Sequence[str], threshold: float) -> list[Match]:
    """The first prompt heard in each of `segments` (one per agent turn: a repeat is a new turn)."""
    found = []
    for index, segment in enumerate(segments):
        match = best_match(phrases, tokenize_segments([segment], [index]), threshold=threshold)
        if match is not None:
            found.append(match)
    return found


def _unwritten_caller_speech(activity: Activity | None, start: float, end: float) -> float:
    """Seconds of caller speech energy between `start` and `end` (0 without audio cues)."""
    spans = (activity or {}).get("caller", [])
    return sum(max(0.0, min(e, end) - max(s, start)) for s, e in spans)
