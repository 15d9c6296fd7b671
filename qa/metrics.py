"""Conversation metrics from the two legs' timed words: dead air, talk time per speaker, overlap."""

from __future__ import annotations

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


def speech_intervals(transcript: Transcript, speaker: Speaker | None = None) -> list[tuple[float, float]]:
    """Merged (start, end) spans of speech, from word times where present, else segment times."""
    spans: list[tuple[float, float]] = []
    for seg in transcript.segments:
        if speaker is not None and seg.speaker != speaker:
            continue
        if seg.words:
            spans.extend((w.start, w.end) for w in seg.words)
        else:
            spans.append((seg.start, seg.end))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def find_dead_air(transcript: Transcript, *, min_gap_s: float = 10.0) -> list[Gap]:
    """Silences of at least `min_gap_s` seconds between the first and the last speech of the call."""
    spans = speech_intervals(transcript)
    return [
        Gap(prev_end, start) for (_, prev_end), (start, _) in pairwise(spans) if start - prev_end >= min_gap_s
    ]


@dataclass(frozen=True)
class TalkStats:
    agent_talk_s: float
    caller_talk_s: float
    overlap_s: float

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
        }


def talk_stats(transcript: Transcript) -> TalkStats:
    """Talk time per speaker and time both spoke at once (seconds)."""
    agent = speech_intervals(transcript, "agent")
    caller = speech_intervals(transcript, "caller")
    overlap = sum(
        max(0.0, min(a_end, c_end) - max(a_start, c_start))
        for a_start, a_end in agent
        for c_start, c_end in caller
    )
    return TalkStats(sum(e - s for s, e in agent), sum(e - s for s, e in caller), overlap)
