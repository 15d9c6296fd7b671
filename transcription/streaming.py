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


SEAM_SLACK_S = 0.1
"""Seconds before the seam of context and part where a word still counts as the part's."""


class UtteranceStream:
    """Streaming for any `Recognizer` that decodes whole utterances (faster-whisper).

    Endpointing: a frame is speech when its energy is `margin_db` above the running noise floor; an
    utterance ends after `pause_s` without speech (or at `max_utterance_s`), and, with `cut_pause_s`, after
    that shorter pause once it holds `cut_after_s` of audio: long speech is cut at its inner pauses, so each
    part is decoded while the speaker goes on and the last one soon after they stop. A part shorter than
    `cut_after_s` that goes straight on from a cut one ("…Bluebird Bank." | "Goodbye.") is decoded after the
    last `context_s` seconds of the part before it, and only its own words are kept: alone, a word or two
    is read poorly (tiny.en heard a lone "Goodbye." at word confidence 0.26, after its sentence at 0.85).
    Partials come every `partial_every_s` seconds of new audio while speech goes on; None: no partials,
    each utterance is decoded exactly once.
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
        context_s: float = 0.0,
    ) -> None:
        self._rec = recognizer
        self._rate = sample_rate
        self._pause = pause_s
        self._cut_pause = pause_s if cut_pause_s is None else min(cut_pause_s, pause_s)
        self._cut_after = cut_after_s
        self._context_s = context_s
        self._context: FloatArray | None = None  # the part just cut, while its speaker may go straight on
        self._quiet_s = 0.0  # silence since the last part ended
        self._since_cut = 0.0  # that silence when the current part began
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
            self._since_cut = self._quiet_s
            self._buffer = list(self._preroll)
            self._buffered = sum(c.size for c in self._buffer)
            self._buffer_start = max(0.0, now - sum(c.size for c in self._preroll) / self._rate)
            self._since_partial = 0.0
        if not self._speaking:
            self._quiet_s += duration
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
            self._quiet_s = self._silence_s
            cut = self._silence_s < self._pause and self._context_s > 0
            context_n = int(self._context_s * self._rate)
            self._context = np.concatenate(self._buffer)[-context_n:] if cut else None
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
        words = self._continued(audio) if kind == "final" else None
        if words is None:
            found: list[Utterance] = self._rec.transcribe(audio, self._rate, hints=self._hints)
            offset = self._buffer_start
            words = tuple(
                Word(w.text, w.start + offset, w.end + offset, w.conf) for u in found for w in u.words
            )
            text = " ".join(u.text for u in found).strip()
        else:
            text = " ".join(w.text for w in words)
        if not text:
            return []
        start = words[0].start if words else offset
        end = words[-1].end if words else offset + audio.size / self._rate
        return [StreamEvent(kind, text, start, end, words)]

    def _continued(self, audio: FloatArray) -> tuple[Word, ...] | None:
        """The words of a short part that goes straight on from a cut one (begun before a full pause
        would have ended it), decoded after that part's audio; None when it is not one, or
        when nothing of it is heard that way (then it is decoded alone)."""
        context, self._context = self._context, None
        spoken = audio.size / self._rate - self._silence_s  # the pause that ended it is not the part
        if context is None or spoken >= self._cut_after or self._since_cut > self._pause:
            return None
        lead = context.size / self._rate
        found = self._rec.transcribe(np.concatenate([context, audio]), self._rate, hints=self._hints)
        offset = self._buffer_start - lead
        # A word the context and the part share (cut mid-word) starts just before the seam: a little slack.
        own = [w for u in found for w in u.words if w.start >= lead - SEAM_SLACK_S]
        return tuple(Word(w.text, w.start + offset, w.end + offset, w.conf) for w in own) or None


def open_stream(
    recognizer: Recognizer,
    sample_rate: int,
    *,
    hints: tuple[str, ...] = (),
    partials: bool = True,
    cut_pause_s: float | None = None,
    context_s: float = 0.0,
) -> StreamingRecognizer:
    """The best streaming decoder for `recognizer`: Vosk's own, else utterance endpointing (each utterance
    decoded once when it ends, and, with `partials`, re-decoded every second while it grows; with
    `cut_pause_s`, long speech cut at inner pauses that long, a short part going on from a cut one decoded
    after `context_s` of it; see `UtteranceStream`)."""
    from transcription.vosk_engine import VoskRecognizer

    if isinstance(recognizer, VoskRecognizer):
        return VoskStream(recognizer.model, sample_rate)
    return UtteranceStream(
        recognizer,
        sample_rate,
        hints=hints,
        partial_every_s=1.0 if partials else None,
        cut_pause_s=cut_pause_s,
        context_s=context_s,
    )
