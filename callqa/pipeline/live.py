"""A live call: both legs' audio in as it arrives, the assist `Update`s (`qa.assist`) out.

Each leg has its own utterance stream (`transcription.streaming`, energy endpointing, every utterance decoded
once when it ends, long speech cut at its inner pauses so a turn shows soon after the speaker stops); whisper
decodes live utterances in a short window without sampled re-decodes (`live_recognizer`). The caller's
utterances get their voice measured (`qa.acoustic.voice_of`) on the leg's recent audio. Legs may be fed from
two threads at once (two network streams): the assistant is behind a lock, decoding is not. One recogniser
serves every live call, one decode at a time (`SerialRecognizer`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.settings import Settings
from qa.acoustic import voice_of
from qa.assist import Assistant, HeardUtterance, Update
from qa.pii.redact import redact_utterance
from qa.pii.spans import PiiSpan
from transcription.model_store import build_recognizer
from transcription.recognizer import FloatArray, Recognizer, Speaker, Transcript, Utterance
from transcription.streaming import StreamEvent, StreamingRecognizer, UtteranceStream, open_stream
from transcription.vosk_engine import VoskRecognizer

CHUNK_S = 0.1
"""Audio (s) handed to the endpointer at a time: network frames are 20 ms, and the endpointer's noise floor
adapts per chunk, so frames are gathered to this size first."""
RECENT_S = 40.0
"""Caller audio (s) kept for measuring the voice of an utterance (longer than the longest utterance)."""
LEGS: tuple[Speaker, ...] = ("agent", "caller")
CUT_PAUSE_S = 0.3
"""A pause (s) that ends a live utterance already 1.5 s long (`UtteranceStream`'s `cut_pause_s`); a shorter
one still waits for the stream's full pause (0.7 s), so short answers are not cut into words."""
CONTEXT_S = 3.0
"""Audio (s) of a cut part decoded before the short part that goes straight on from it (`UtteranceStream`'s
`context_s`): the closing's lone "Goodbye." after "Thanks for calling …" is read far better so."""


class SerialRecognizer:
    """A `Recognizer` shared by several streams, one decode at a time (engines are not thread-safe);
    `busy_s` sums the seconds spent decoding (real-time factor = busy_s / audio seconds)."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()
        self.busy_s = 0.0

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        with self._lock:
            began = time.perf_counter()
            try:
                return self.inner.transcribe(samples, sample_rate, hints=hints, phrases=phrases)
            finally:
                self.busy_s += time.perf_counter() - began


@dataclass
class _Leg:
    stream: StreamingRecognizer
    pending: list[FloatArray]
    pending_n: int = 0
    fed_n: int = 0


class LiveCall:
    """One call's legs feeding one `Assistant`; times are seconds of audio since the call's start."""

    def __init__(
        self,
        assistant: Assistant,
        streams: dict[Speaker, StreamingRecognizer],
        sample_rate: int,
        *,
        personal_data: Callable[[Transcript], Sequence[PiiSpan]],
    ) -> None:
        self.assistant = assistant
        self._personal_data = personal_data
        self.sample_rate = sample_rate
        self._legs = {speaker: _Leg(stream, []) for speaker, stream in streams.items()}
        self._lock = threading.Lock()
        self._recent: list[FloatArray] = []
        self._recent_from = 0  # sample index of the first kept caller sample
        self._chunk = max(1, int(CHUNK_S * sample_rate))

    def feed(self, leg: Speaker, samples: FloatArray) -> list[Update]:
        """Take the next audio of `leg` (float32 mono at `sample_rate`); the updates it caused."""
        state = self._legs[leg]
        state.pending.append(samples)
        state.pending_n += samples.size
        updates: list[Update] = []
        while state.pending_n >= self._chunk:
            audio = np.concatenate(state.pending)
            chunk, rest = audio[: self._chunk], audio[self._chunk :]
            state.pending, state.pending_n = ([rest] if rest.size else []), rest.size
            updates += self._accept(leg, state, chunk)
        return updates

    def redact(self, speaker: Speaker, text: str) -> str:
        """`text` said by `speaker` with the personal data the call's redactor finds replaced, as in a
        stored transcript (for what is stored of a live call: its alerts' evidence). CPU work: not on
        an event loop."""
        return redact_utterance(text, speaker, self._personal_data)

    def finish(self) -> list[Update]:
        """End of the call: the last utterances of each leg, then the offline verdicts (`Update.final`)."""
        updates: list[Update] = []
        for leg, state in self._legs.items():
            if state.pending_n:
                updates += self._accept(leg, state, np.concatenate(state.pending))
                state.pending, state.pending_n = [], 0
            updates += self._hear(leg, state.stream.finish())
        duration = max((s.fed_n for s in self._legs.values()), default=0) / self.sample_rate
        with self._lock:
            updates.append(self.assistant.end(duration))
        return updates

    def _accept(self, leg: Speaker, state: _Leg, chunk: FloatArray) -> list[Update]:
        if leg == "caller":
            self._keep(chunk)
        state.fed_n += chunk.size
        updates = self._hear(leg, state.stream.accept(chunk))
        speaking = leg == "caller" and isinstance(state.stream, UtteranceStream) and state.stream.speaking
        with self._lock:
            moved = self.assistant.advance(state.fed_n / self.sample_rate, caller_speaking=speaking)
        return updates + ([moved] if moved is not None else [])

    def _hear(self, leg: Speaker, events: list[StreamEvent]) -> list[Update]:
        updates = []
        for event in events:
            if event.kind != "final":
                continue
            pitch, loudness = self._voice(event.start, event.end) if leg == "caller" else (None, None)
            heard = HeardUtterance(leg, event.start, event.end, event.text, event.words, pitch, loudness)
            with self._lock:
                updates.append(self.assistant.hear(heard))
        return updates

    def _keep(self, chunk: FloatArray) -> None:
        self._recent.append(chunk)
        kept = sum(c.size for c in self._recent)
        while self._recent and kept - self._recent[0].size > RECENT_S * self.sample_rate:
            kept -= self._recent[0].size
            self._recent_from += self._recent.pop(0).size

    def _voice(self, start: float, end: float) -> tuple[float | None, float | None]:
        audio = np.concatenate(self._recent) if self._recent else np.zeros(0, np.float32)
        begin = max(0, int(start * self.sample_rate) - self._recent_from)
        stop = max(begin, int(end * self.sample_rate) - self._recent_from)
        return voice_of(audio[begin:stop], self.sample_rate)


def live_recognizer(settings: Settings) -> Recognizer:
    """The recogniser for live legs in `settings.language` (load its model now: a missing one fails here,
    with the fix named): the configured engine, whisper's encoder reading `live_window_s` windows, and no
    temperature fallback, whose sampled re-decodes once held a 3 s utterance for 22 s on this machine."""
    return build_recognizer(
        settings.engine,
        language=settings.language,
        vosk_model_path=settings.vosk_model_path,
        whisper_model_path=settings.whisper_model_path,
        threads=settings.asr_threads,
        whisper_beam_size=settings.whisper_beam_size,
        whisper_vad=settings.whisper_vad,
        whisper_temperature_fallback=False,
        whisper_window_s=settings.live_window_s if settings.live_window_s < 30 else None,
        cache_dir=settings.models_dir,
    )


def open_live_call(
    analyzer: CallAnalyzer,
    recognizer: Recognizer,
    *,
    sample_rate: int,
    agent_name: str | None = None,
    agent_number: str | None = None,
    company: str | None = None,
    legs: Sequence[Speaker] = LEGS,
) -> LiveCall:
    """A live call judged by `analyzer`'s script, phrase lists and sentiment model for its language,
    decoded by `recognizer` (share one `SerialRecognizer` between calls) without partial results."""
    script = analyzer.script_for(company, agent_name, agent_number)
    assistant = Assistant(script, analyzer.forbidden, analyzer.empathy, analyzer.sentiment)
    hints = tuple(h for h in (script.company, agent_name) if h)
    # Vosk streams natively (one decoder per leg on the shared model, no lock needed): it needs the engine.
    inner = recognizer.inner if isinstance(recognizer, SerialRecognizer) else recognizer
    engine = inner if isinstance(inner, VoskRecognizer) else recognizer
    streams = {
        leg: open_stream(
            engine, sample_rate, hints=hints, partials=False, cut_pause_s=CUT_PAUSE_S, context_s=CONTEXT_S
        )
        for leg in legs
    }
    return LiveCall(assistant, streams, sample_rate, personal_data=analyzer.find_personal_data)
