"""Transcribing a whole call: one recognizer run per leg, utterances split at pauses, speakers labelled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TypeVar

from transcription.audio import CallAudio, is_silent, split_legs
from transcription.exceptions import SilentAudioError
from transcription.recognizer import FloatArray, Recognizer, Segment, Speaker, Transcript, Utterance, Word

PAUSE_SPLIT_S = 1.0
_Spoken = TypeVar("_Spoken", Utterance, Segment)


def split_at_pauses(utterance: Utterance, *, max_gap_s: float = PAUSE_SPLIT_S) -> list[Utterance]:
    """Split an utterance wherever consecutive words are more than `max_gap_s` seconds apart.

    Engines with VAD merge speech chunks across long silences into one segment whose start time is
    that of its first word; turn-level timing (greeting windows, dead air, last turn) needs the real turns.
    """
    if len(utterance.words) < 2:
        return [utterance]
    groups = [[utterance.words[0]]]
    for word in utterance.words[1:]:
        if word.start - groups[-1][-1].end > max_gap_s:
            groups.append([word])
        else:
            groups[-1].append(word)
    if len(groups) == 1:
        return [utterance]
    # n-best hypotheses describe the whole utterance; each part keeps them for QA's fallback.
    return _parts(utterance, groups)


def _parts(item: _Spoken, groups: Sequence[Sequence[Word]]) -> list[_Spoken]:
    """`item` (an utterance or segment) cut into one copy per group of its words; every other field kept."""
    return [
        replace(
            item,
            start=g[0].start,
            end=g[-1].end,
            text=" ".join(w.text for w in g),
            words=tuple(g),
            confidence=sum(w.conf for w in g) / len(g),
        )
        for g in groups
    ]


def interleave(segments: Sequence[Segment], *, slack_s: float = 0.25) -> list[Segment]:
    """Segments in time order, each cut where a turn of the other speaker fits between two of its words.

    A leg's utterance can run over the other speaker's whole turn (an agent sentence, a caller's "okay"
    in the pause, the agent again, all under one VAD chunk); ordered by start time alone, the agent's later
    sentence would be shown before the caller's earlier one. Only a turn that lies inside a pause (±
    `slack_s` s, word times are approximate) cuts: talking over someone's last word does not."""
    out: list[Segment] = []
    for seg in segments:
        others = [
            (o.start, o.end) for o in segments if o.speaker != seg.speaker and seg.start < o.start < seg.end
        ]
        groups: list[list[Word]] = [[seg.words[0]]] if seg.words else []
        for prev, word in pairwise(seg.words):
            fits = any(prev.end - slack_s <= s and e <= word.start + slack_s for s, e in others)
            if fits:
                groups.append([word])
            else:
                groups[-1].append(word)
        if len(groups) < 2:
            out.append(seg)
            continue
        out.extend(_parts(seg, groups))
    return sorted(out, key=lambda s: (s.start, s.end))


def transcribe_call(
    audio: CallAudio,
    recognizer: Recognizer,
    *,
    agent_channel: int = 0,
    language: str = "en",
    hints: Sequence[str] = (),
    phrases: Sequence[str] = (),
) -> Transcript:
    """Split `audio` into its legs and transcribe them (see `transcribe_legs`)."""
    return transcribe_legs(
        split_legs(audio, agent_channel=agent_channel),
        audio.sample_rate,
        recognizer,
        duration_s=audio.duration_s,
        language=language,
        hints=hints,
        phrases=phrases,
    )


def transcribe_legs(
    legs: Mapping[Speaker, FloatArray],
    sample_rate: int,
    recognizer: Recognizer,
    *,
    duration_s: float,
    language: str = "en",
    hints: Sequence[str] = (),
    phrases: Sequence[str] = (),
) -> Transcript:
    """Run `recognizer` over each leg (samples at `sample_rate` Hz) and merge the results into one
    time-ordered transcript of a recording `duration_s` seconds long.

    A silent leg is skipped (one-sided recordings happen); all legs silent raises SilentAudioError.
    `hints` (company and agent names) and script `phrases` go to the agent leg only: biasing the caller's
    leg towards them makes small models hear the company name in the caller's unrelated words.
    """
    segments: list[Segment] = []
    heard: list[Speaker] = []
    for speaker, samples in legs.items():
        if is_silent(samples):
            continue
        heard.append(speaker)
        agent = speaker == "agent"
        for utterance in recognizer.transcribe(
            samples, sample_rate, hints=hints if agent else (), phrases=phrases if agent else ()
        ):
            for part in split_at_pauses(utterance):
                segments.append(
                    Segment(
                        speaker=speaker,
                        start=part.start,
                        end=part.end,
                        text=part.text,
                        words=part.words,
                        confidence=part.confidence,
                        alternatives=part.alternatives,
                    )
                )
    if not heard:
        raise SilentAudioError("the recording is silent on every channel")
    segments = interleave(segments)
    return Transcript(
        segments=tuple(segments), duration_s=duration_s, engine=recognizer.name, language=language
    )


def redecode_span(
    transcript: Transcript,
    samples: FloatArray,
    sample_rate: int,
    recognizer: Recognizer,
    *,
    speaker: Speaker,
    span: tuple[float, float],
    hints: Sequence[str] = (),
) -> Transcript:
    """`transcript` with `speaker`'s segments inside `span` (s) replaced by `recognizer`'s reading of that
    stretch of the speaker's leg (`samples`, mono at `sample_rate` Hz): a second opinion on one region, at
    the cost of decoding only that region."""
    start, end = max(0.0, span[0]), min(len(samples) / sample_rate, span[1])
    piece = samples[int(start * sample_rate) : int(end * sample_rate)]
    fresh = [
        Segment(
            speaker=speaker,
            start=start + part.start,
            end=start + part.end,
            text=part.text,
            words=tuple(replace(w, start=start + w.start, end=start + w.end) for w in part.words),
            confidence=part.confidence,
        )
        for utterance in (recognizer.transcribe(piece, sample_rate, hints=hints) if piece.size else [])
        for part in split_at_pauses(utterance)
    ]
    kept = [s for s in transcript.segments if s.speaker != speaker or not start <= s.start < end]
    segments = sorted([*kept, *fresh], key=lambda s: (s.start, s.end))
    return replace(transcript, segments=tuple(segments), engine=f"{transcript.engine}+{recognizer.name}")
