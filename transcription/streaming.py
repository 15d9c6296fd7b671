"""Incremental (streaming) recognition: feed audio chunks as they arrive, get partial and final results.

Vosk streams natively (its decoder emits partial hypotheses and endpoints). Whisper decodes whole
utterances, so its stream cuts the audio at pauses (speech-energy endpointing) and decodes each utterance
once when the pause comes (final). Partials (re-decoding the growing utterance now and then) are optional:
they cost a decode each, which a live call serving several streams cannot afford. Times are seconds from
the start of the stream.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from transcription.audio import pcm16
from transcription.recognizer import FloatArray, Recognizer, Utterance, Word

Kind = Literal["partial", "final"]


@dataclass(frozen=True)
class StreamEvent:
    """A partial (may still change) or final (settled) hypothesis for the current utterance."""

    kind: Kind
    text: str
    start: float
    end: float
    words: tuple[Word, ...] = ()


class StreamingRecognizer(Protocol):
    def accept(self, chunk: FloatArray) -> list[StreamEvent]:
        """Feed the next chunk (float32 mono at the stream's rate); returns events it produced."""
        ...

    def finish(self) -> list[StreamEvent]:
        """End of audio: the last utterance as a final event, if any."""
        ...


class VoskStream:
    """Vosk's own streaming decoder at the source's sample rate."""

    def __init__(self, model: object, sample_rate: int) -> None:
        import vosk

        self._rec = vosk.KaldiRecognizer(model, float(sample_rate))
        self._rec.SetWords(True)
        self._fed = 0
        self._rate = sample_rate
        self._partial = ""

    def accept(self, chunk: FloatArray) -> list[StreamEvent]:
        pcm = pcm16(chunk).tobytes()
        self._fed += chunk.size
        if self._rec.AcceptWaveform(pcm):
            self._partial = ""
            return self._final(json.loads(self._rec.Result()))
        text = json.loads(self._rec.PartialResult()).get("partial", "")
        if text and text != self._partial:
            self._partial = text
            now = self._fed / self._rate
            return [StreamEvent("partial", text, now, now)]
        return []

    def finish(self) -> list[StreamEvent]:
        return self._final(json.loads(self._rec.FinalResult()))

    @staticmethod
    def _final(result: dict[str, Any]) -> list[StreamEvent]:
        words = tuple(
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
            for w in result.get("result") or []
        )
        if not words:
            return []
        return [StreamEvent("final", " ".join(w.text for w in words), words[0].start, words[-1].end, words)]


class UtteranceStream:
    """Streaming for any `Recognizer` that decodes whole utterances (faster-whisper).

    Endpointing: a frame is speech when its energy is `margin_db` above the running noise floor; an
    utterance ends after `pause_s` without speech (or at `max_utterance_s`), and, with `cut_pause_s`, after
    that shorter pause once it holds `cut_after_s` of audio: long speech is cut at its inner pauses, so each
    part is decoded while the speaker goes on and the last one soon after they stop. Partials come every
    `partial_every_s` seconds of new audio while speech goes on; None: no partials, each utterance is
    decoded exactly once.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        sample_rate: int,
        *,
        pause_s: float = 0.7,
        partial_every_s: float | None = 1.0,
        max_utterance_s: float = 25.0,
        margin_db: float = 12.0,
        hints: tuple[str, ...] = (),
        cut_pause_s: float | None = None,
        cut_after_s: float = 1.5,
    ) -> None:
        self._rec = recognizer
        self._rate = sample_rate
        self._pause = pause_s
        self._cut_pause = pause_s if cut_pause_s is None else min(cut_pause_s, pause_s)
        self._cut_after = cut_after_s
        self._partial_every = partial_every_s
        self._max = max_utterance_s
        self._margin = margin_db
        self._hints = hints
        self._buffer: list[FloatArray] = []
        self._buffered = 0  # samples in _buffer, kept as it grows (frames can be 20 ms: no re-summing)
        # Audio just before the onset: energy endpointing fires late, and whisper drops a clipped first word.
        self._preroll: deque[FloatArray] = deque()
        self._preroll_s = 0.5
        self._buffer_start = 0.0
        self._fed = 0
        self._silence_s = 0.0
        self._since_partial = 0.0
        self._noise_db: float | None = None
        self._speaking = False

    def accept(self, chunk: FloatArray) -> list[StreamEvent]:
        now = self._fed / self._rate
        self._fed += chunk.size
        duration = chunk.size / self._rate
        speech = self._is_speech(chunk)
        events: list[StreamEvent] = []
        if speech and not self._speaking:
            self._speaking = True
            self._buffer = list(self._preroll)
            self._buffered = sum(c.size for c in self._buffer)
            self._buffer_start = max(0.0, now - sum(c.size for c in self._preroll) / self._rate)
            self._since_partial = 0.0
        if not self._speaking:
            self._preroll.append(chunk)
            while sum(c.size for c in self._preroll) / self._rate > self._preroll_s:
                self._preroll.popleft()
            return events
        self._buffer.append(chunk)
        self._buffered += chunk.size
        self._silence_s = 0.0 if speech else self._silence_s + duration
        self._since_partial += duration
        length = self._buffered / self._rate
        pause = self._cut_pause if length - self._silence_s >= self._cut_after else self._pause
        if self._silence_s >= pause or length >= self._max:
            events += self._decode("final")
            self._speaking = False
            # The pause that ended it is the next utterance's preroll: after a cut at an inner pause the
            # speaker goes straight on, and the endpointer hears their first word late (it was clipped).
            self._preroll.clear()
            kept = 0
            for old in reversed(self._buffer):
                if (kept + old.size) / self._rate > min(self._silence_s, self._preroll_s) + 1e-9:
                    break
                self._preroll.appendleft(old)
                kept += old.size
        elif self._partial_every is not None and self._since_partial >= self._partial_every:
            self._since_partial = 0.0
            events += self._decode("partial")
        return events

    @property
    def speaking(self) -> bool:
        """Whether the stream is inside an utterance (speech heard and its pause not yet over)."""
        return self._speaking

    def finish(self) -> list[StreamEvent]:
        if not self._speaking:
            return []
        self._speaking = False
        return self._decode("final")

    def _is_speech(self, chunk: FloatArray) -> bool:
        level = 20 * np.log10(max(float(np.sqrt(np.mean(np.square(chunk, dtype=np.float64)))), 1e-10))
        if self._noise_db is None:
            self._noise_db = level
        # The floor follows quiet stretches quickly and loud ones slowly, so speech does not raise it.
        rate = 0.3 if level < self._noise_db else 0.01
        self._noise_db += rate * (level - self._noise_db)
        return bool(level > max(self._noise_db + self._margin, -55.0))

    def _decode(self, kind: Kind) -> list[StreamEvent]:
        audio = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.float32)
        if audio.size == 0:
            return []
        found: list[Utterance] = self._rec.transcribe(audio, self._rate, hints=self._hints)
        offset = self._buffer_start
        words = tuple(Word(w.text, w.start + offset, w.end + offset, w.conf) for u in found for w in u.words)
        text = " ".join(u.text for u in found).strip()
        if not text:
            return []
        start = words[0].start if words else offset
        end = words[-1].end if words else offset + audio.size / self._rate
        return [StreamEvent(kind, text, start, end, words)]


def open_stream(
    recognizer: Recognizer,
    sample_rate: int,
    *,
    hints: tuple[str, ...] = (),
    partials: bool = True,
    cut_pause_s: float | None = None,
) -> StreamingRecognizer:
    """The best streaming decoder for `recognizer`: Vosk's own, else utterance endpointing (each utterance
    decoded once when it ends, and, with `partials`, re-decoded every second while it grows; with
    `cut_pause_s`, long speech cut at inner pauses that long, see `UtteranceStream`)."""
    from transcription.vosk_engine import VoskRecognizer

    if isinstance(recognizer, VoskRecognizer):
        return VoskStream(recognizer.model, sample_rate)
    return UtteranceStream(
        recognizer,
        sample_rate,
        hints=hints,
        partial_every_s=1.0 if partials else None,
        cut_pause_s=cut_pause_s,
    )
