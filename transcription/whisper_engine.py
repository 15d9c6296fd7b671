"""faster-whisper (CTranslate2) recognizer: one model per process, VAD on, hallucination guards.

Whisper models need 16 kHz input, so telephone audio is resampled once per channel here.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

import librosa
import numpy as np
from faster_whisper import WhisperModel

from transcription.model_store import model_label
from transcription.recognizer import FloatArray, Utterance, Word

WHISPER_SR = 16000
_MODELS: dict[tuple[Path, str, int], WhisperModel] = {}
_MODELS_LOCK = threading.Lock()


def load_whisper_model(model_path: Path, *, compute_type: str = "int8", cpu_threads: int = 0) -> WhisperModel:
    """The process-wide WhisperModel for these arguments (loaded on first use, then shared)."""
    key = (model_path.resolve(), compute_type, cpu_threads)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            model = WhisperModel(
                str(key[0]), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
            )
            _MODELS[key] = model
        return model


class WhisperRecognizer:
    """`Recognizer` backed by a faster-whisper model directory (e.g. tiny.en)."""

    def __init__(
        self,
        model_path: Path,
        *,
        language: str | None = "en",
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 5,
        vad_filter: bool = True,
    ) -> None:
        self.name = f"faster-whisper:{model_label(model_path)}"
        self._model = load_whisper_model(model_path, compute_type=compute_type, cpu_threads=cpu_threads)
        self._language = language
        self._beam_size = beam_size
        self._vad_filter = vad_filter

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = ()
    ) -> list[Utterance]:
        audio = (
            samples
            if sample_rate == WHISPER_SR
            else librosa.resample(samples, orig_sr=sample_rate, target_sr=WHISPER_SR)
        )
        segments, _info = self._model.transcribe(
            np.ascontiguousarray(audio, dtype=np.float32),
            language=self._language,
            beam_size=self._beam_size,
            word_timestamps=True,
            vad_filter=self._vad_filter,
            # Calls are short turns; conditioning on earlier text is what makes whisper loop on silence.
            condition_on_previous_text=False,
            # Company and agent names are what tiny models garble most; hotwords bias the beam towards them.
            hotwords=", ".join(hints) if hints else None,
        )
        utterances: list[Utterance] = []
        previous = ""
        for seg in segments:
            text = seg.text.strip()
            if not text or (seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0):
                continue  # whisper's tell-tale of text invented for non-speech
            if text == previous:
                continue  # a repeated segment is a decoding loop, not speech
            previous = text
            words = tuple(
                Word(text=w.word.strip(), start=float(w.start), end=float(w.end), conf=float(w.probability))
                for w in (seg.words or [])
                if w.word.strip()
            )
            utterances.append(
                Utterance(
                    start=float(words[0].start if words else seg.start),
                    end=float(words[-1].end if words else seg.end),
                    text=text,
                    words=words,
                    confidence=min(1.0, math.exp(seg.avg_logprob)),
                )
            )
        return utterances
