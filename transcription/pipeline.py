"""Transcribing a whole call: one recognizer run per leg, utterances split at pauses, speakers labelled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from transcription.audio import CallAudio, is_silent, split_legs
from transcription.exceptions import SilentAudioError
from transcription.recognizer import FloatArray, Recognizer, Segment, Speaker, Transcript, Utterance

PAUSE_SPLIT_S = 1.0


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
    return [
        Utterance(
            start=g[0].start,
            end=g[-1].end,
            text=" ".join(w.text for w in g),
            words=tuple(g),
            confidence=sum(w.conf for w in g) / len(g),
            # n-best hypotheses describe the whole utterance; each part keeps them for QA's fallback.
            alternatives=utterance.alternatives,
        )
        for g in groups
    ]


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
    segments.sort(key=lambda s: (s.start, s.end))
    return Transcript(
        segments=tuple(segments), duration_s=duration_s, engine=recognizer.name, language=language
    )
