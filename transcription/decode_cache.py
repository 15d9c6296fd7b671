"""A recognizer whose decodes are kept on disk.

Re-judging saved first decodes (`callqa eval --results … --requalify`) decodes the same doubtful windows
with the second model on every run: most of the run's time, for words that cannot change, since the second
reading is deterministic (no temperature fallback). `CachedRecognizer` gives back the stored utterances of
a decode it made before: same engine, same decoding settings (`settings_key`), same samples, rate, hints
and phrases. A cached run's verdicts are an uncached run's, call by call.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter, ValidationError

from transcription.recognizer import FloatArray, Recognizer, Utterance

_CODEC: TypeAdapter[list[Utterance]] = TypeAdapter(list[Utterance])


class CachedRecognizer:
    """`inner`, with each decode stored in `directory` (created on first use) as JSON named by a sha256
    over the engine, `settings_key` (whatever else changes its output: beam size, language …), the sample
    rate, the hints, the phrases and the float32 samples. An entry that cannot be read is decoded again and
    rewritten; entries are written whole (temporary file, then rename), so processes may share a
    directory."""

    def __init__(self, inner: Recognizer, directory: Path, *, settings_key: str = "") -> None:
        self._inner = inner
        self._directory = directory
        self._settings_key = settings_key
        self.name = inner.name

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        path = self._directory / f"{self._key(samples, sample_rate, hints, phrases)}.json"
        try:
            return _CODEC.validate_json(path.read_bytes())
        except (OSError, ValidationError):
            pass
        utterances = self._inner.transcribe(samples, sample_rate, hints=hints, phrases=phrases)
        self._directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(_CODEC.dump_json(utterances))
        partial.replace(path)
        return utterances

    def _key(
        self, samples: FloatArray, sample_rate: int, hints: Sequence[str], phrases: Sequence[str]
    ) -> str:
        about = repr((self.name, self._settings_key, sample_rate, tuple(hints), tuple(phrases)))
        digest = hashlib.sha256(about.encode())
        digest.update(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
        return digest.hexdigest()
