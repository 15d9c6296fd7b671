"""Conversation metrics from the two legs: dead air, holds, talk time and ratio, talk-over and
interruptions, speaking rate. Speech is where the recogniser placed words, merged with where the audio
has speech energy (`activity`, from qa.acoustic) when that is available; dead air, a claim about sound,
is judged on the energy alone then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from transcription.recognizer import Speaker, Transcript


@dataclass(frozen=True)
class Gap:
    """A silence inside the call (seconds)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, float]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "duration": round(self.duration, 3)}


Activity = dict[Speaker, list[tuple[float, float]]]
INTERRUPTION_MIN_S = 0.5  # overlap shorter than this is back-channel ("mm-hm"), not talk-over
_HOLD_CUES = ("hold", "one moment", "bear with me", "just a moment", "let me check")


def speech_intervals(
    transcript: Transcript, speaker: Speaker | None = None, activity: Activity | None = None
) -> list[tuple[float, float]]:
    """Merged (start, end) spans of speech, from word times where present, else segment times, plus the
    energy spans in `activity` for the speaker(s)."""
    spans: list[tuple[float, float]] = []
    for who, extra in (activity or {}).items():
        if speaker is None or who == speaker:
            spans.extend(extra)
    for seg in transcript.segments:
        if speaker is not None and seg.speaker != speaker:
            continue
        if seg.words:
            spans.extend((w.start, w.end) for w in seg.words)
        else:
            spans.append((seg.start, seg.end))
    return merged_spans(spans)


def merged_spans(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """`spans` sorted, with overlapping or touching ones joined."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def find_dead_air(transcript: Transcript, *, min_gap_s: float, activity: Activity | None = None) -> list[Gap]:
    """Silences of at least `min_gap_s` seconds between the first and the last speech of the call.

    With `activity` (speech energy per leg) silence is judged on the audio alone: word times are not
    evidence of sound — whisper stretches a word over the silence after it ("Good" from 5.5 s to 20.7 s
    when it was said at 22.8 s) — and energy also hears speech the recogniser could not decode."""
    spans = merged_spans([span for leg in (activity or {}).values() for span in leg]) or speech_intervals(
        transcript
    )
    return [
        Gap(prev_end, start) for (_, prev_end), (start, _) in pairwise(spans) if start - prev_end >= min_gap_s
    ]


def find_holds(transcript: Transcript, *, min_hold_s: float = 15.0) -> list[Gap]:
    """Announced holds: the agent says a hold cue ("please hold", "one moment", …) and then is silent for
    at least `min_hold_s` seconds. (Unannounced silences are dead air.)"""
    agent = [s for s in transcript.segments if s.speaker == "agent"]
    holds = []
    for seg, nxt in pairwise(agent):
        text = seg.text.lower()
        if any(cue in text for cue in _HOLD_CUES) and nxt.start - seg.end >= min_hold_s:
            holds.append(Gap(seg.end, nxt.start))
    return holds


@dataclass(frozen=True)
class TalkStats:
    """Seconds of talk per speaker, seconds both spoke at once, interruptions (a speaker starting to talk
    over the other for ≥ 0.5 s) and speaking rates in words per minute."""

    agent_talk_s: float
    caller_talk_s: float
    overlap_s: float
    agent_interruptions: int = 0
    caller_interruptions: int = 0
    agent_wpm: float = 0.0
    caller_wpm: float = 0.0

    @property
    def agent_talk_ratio(self) -> float:
        """Agent share of all talk time, 0–1."""
        total = self.agent_talk_s + self.caller_talk_s
        return self.agent_talk_s / total if total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "agent_talk_s": round(self.agent_talk_s, 2),
            "caller_talk_s": round(self.caller_talk_s, 2),
            "overlap_s": round(self.overlap_s, 2),
            "agent_talk_ratio": round(self.agent_talk_ratio, 3),
            "agent_interruptions": self.agent_interruptions,
            "caller_interruptions": self.caller_interruptions,
            "agent_wpm": round(self.agent_wpm, 1),
            "caller_wpm": round(self.caller_wpm, 1),
        }


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _interruptions(talker: list[tuple[float, float]], other: list[tuple[float, float]]) -> int:
    """Spans of `talker` that begin while `other` is speaking and overlap it for ≥ INTERRUPTION_MIN_S."""
    return sum(
        1
        for span in talker
        if any(o[0] < span[0] < o[1] and _overlap(span, o) >= INTERRUPTION_MIN_S for o in other)
    )


def _wpm(transcript: Transcript, speaker: Speaker, talk_s: float) -> float:
    words = sum(len(s.words) or len(s.text.split()) for s in transcript.segments if s.speaker == speaker)
    return 60.0 * words / talk_s if talk_s > 0 else 0.0


def talk_stats(transcript: Transcript, activity: Activity | None = None) -> TalkStats:
    """Talk time, overlap, interruptions and speaking rate per speaker (seconds, counts, words/min)."""
    agent = speech_intervals(transcript, "agent", activity)
    caller = speech_intervals(transcript, "caller", activity)
    overlap = sum(_overlap(a, c) for a in agent for c in caller)
    agent_s, caller_s = sum(e - s for s, e in agent), sum(e - s for s, e in caller)
    return TalkStats(
        agent_s,
        caller_s,
        overlap,
        agent_interruptions=_interruptions(agent, caller),
        caller_interruptions=_interruptions(caller, agent),
        agent_wpm=_wpm(transcript, "agent", agent_s),
        caller_wpm=_wpm(transcript, "caller", caller_s),
    )
