"""Redaction of what `detect.find_pii` found: in the transcript (the words become `[CARD]`, `[CVV]`, …
with the time they were said) and in the audio (those times silenced on the leg that said them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from qa.pii.spans import PiiSpan, is_redacted
from qa.pii.spoken import segment_words
from transcription.audio import CallAudio
from transcription.recognizer import Segment, Speaker, Transcript, Word

REDACTED_EXTRA = "pii_redacted"
"""`Transcript.extra` key set on a redacted transcript: the entity tokens it holds, comma-separated."""


def redact_transcript(transcript: Transcript, spans: Sequence[PiiSpan]) -> Transcript:
    """`transcript` with each span's words replaced, per segment, by one word `[TOKEN]` from the first
    redacted word's start to the last one's end (so the player and the evidence keep their times). A
    segment with a redaction gets its text rebuilt from its words and loses its n-best alternatives (they
    would carry the same digits)."""
    by_word: dict[tuple[int, int], PiiSpan] = {w: span for span in spans for w in span.words}
    segments: list[Segment] = []
    for i, seg in enumerate(transcript.segments):
        words = segment_words(seg)
        if not any((i, j) in by_word for j in range(len(words))):
            segments.append(seg)
            continue
        kept: list[Word] = []
        last_span: PiiSpan | None = None
        for j, word in enumerate(words):
            span = by_word.get((i, j))
            if span is None:
                kept.append(word)
            elif span is last_span and kept:
                kept[-1] = replace(kept[-1], end=max(kept[-1].end, word.end))
            else:
                kept.append(Word(text=f"[{span.token}]", start=word.start, end=word.end, conf=1.0))
            last_span = span
        segments.append(replace(seg, words=tuple(kept), text=" ".join(w.text for w in kept), alternatives=()))
    tokens = sorted({s.token for s in spans})
    extra = dict(transcript.extra)
    if tokens:
        extra[REDACTED_EXTRA] = ",".join(tokens)
    return replace(transcript, segments=tuple(segments), extra=extra)


def redact_utterance(text: str, speaker: Speaker, find: Callable[[Transcript], Sequence[PiiSpan]]) -> str:
    """`text`, one utterance of `speaker` kept without its word times (a live alert's evidence), with what
    `find` finds in it replaced as `redact_transcript` replaces it. The words get even nominal times:
    detectors read words and their order, not times."""
    words = tuple(Word(w, 0.4 * i, 0.4 * i + 0.3, conf=1.0) for i, w in enumerate(text.split()))
    if not words:
        return text
    said = Transcript((Segment(speaker, 0.0, words[-1].end, text, words),), words[-1].end)
    spans = find(said)
    return redact_transcript(said, spans).segments[0].text if spans else text


def redacted_speech(transcript: Transcript) -> dict[Speaker, list[tuple[float, float]]]:
    """Where `transcript` holds redacted words, per speaker: (start, end) in seconds, in time order.
    Someone spoke there; the recording `silence_spans` made no longer says so, so whatever judges sound
    on it (dead air, talk-over) adds these spans back."""
    spoken: dict[Speaker, list[tuple[float, float]]] = {}
    for seg in transcript.segments:
        for word in seg.words:
            if is_redacted(word.text):
                spoken.setdefault(seg.speaker, []).append((word.start, word.end))
    return {speaker: sorted(spans) for speaker, spans in spoken.items()}


def silence_spans(
    audio: CallAudio, spans: Sequence[PiiSpan], *, agent_channel: int, pad_s: float
) -> CallAudio:
    """`audio` with every span silenced on the channel of the speaker who said it, widened by `pad_s`
    seconds each side (recognisers' word times are off by a fraction of a second). A mono recording
    carries both speakers: its one channel is silenced for every span."""
    channels = audio.channels.copy()
    rate = audio.sample_rate
    for span in spans:
        channel = _channel(span.speaker, agent_channel, channels.shape[0])
        first = max(0, int((span.start - pad_s) * rate))
        last = min(channels.shape[1], int(np.ceil((span.end + pad_s) * rate)))
        channels[channel, first:last] = 0.0
    return replace(audio, channels=channels)


def _channel(speaker: Speaker, agent_channel: int, n_channels: int) -> int:
    if n_channels == 1:
        return 0
    return agent_channel if speaker == "agent" else 1 - agent_channel
