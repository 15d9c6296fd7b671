"""Decodes kept on disk: the same audio and settings give the stored words back, anything else decodes
again; a real second-model decode comes back from disk equal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.transcription.conftest import espeak
from transcription.decode_cache import CachedRecognizer
from transcription.model_store import build_second_opinion, find_whisper_model
from transcription.recognizer import FloatArray, Utterance, Word
from transcription.whisper_engine import WhisperRecognizer


class _Counting:
    """Hears "hello there" in any audio and counts its decodes."""

    name = "counting:1"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        self.calls += 1
        words = (Word("hello", 0.5, 1.0, 0.9), Word("there", 1.0, 1.5, 0.4))
        return [Utterance(0.5, 1.5, "hello there", words, 0.65, ("hello their",))]


class _Refusing:
    """A recognizer that must not be asked: everything has to come from the cache."""

    def __init__(self, name: str) -> None:
        self.name = name

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        raise AssertionError("decoded although the decode was cached")


def test_the_same_audio_and_settings_decode_once(tmp_path: Path) -> None:
    inner = _Counting()
    cached = CachedRecognizer(inner, tmp_path / "cache", settings_key="beam=5")
    audio = np.linspace(-0.5, 0.5, 8000, dtype=np.float32)
    first = cached.transcribe(audio, 8000, hints=["Dana"])
    assert cached.transcribe(audio.copy(), 8000, hints=["Dana"]) == first
    assert inner.calls == 1 and cached.name == inner.name
    # Anything that can change the words decodes again: other hints, phrases, rate, samples, settings.
    cached.transcribe(audio, 8000)
    cached.transcribe(audio, 8000, hints=["Dana"], phrases=["thank you for calling"])
    cached.transcribe(audio, 16000, hints=["Dana"])
    cached.transcribe(audio * 0.5, 8000, hints=["Dana"])
    CachedRecognizer(inner, tmp_path / "cache", settings_key="beam=1").transcribe(audio, 8000, hints=["Dana"])
    assert inner.calls == 6


def test_an_unreadable_entry_is_decoded_again_and_rewritten(tmp_path: Path) -> None:
    inner = _Counting()
    cached = CachedRecognizer(inner, tmp_path)
    audio = np.zeros(800, dtype=np.float32)
    words = cached.transcribe(audio, 8000)
    [entry] = tmp_path.glob("*.json")
    entry.write_text('[{"start": 0.5, "end"')  # a half-written file from a killed run
    assert cached.transcribe(audio, 8000) == words
    assert inner.calls == 2
    assert CachedRecognizer(_Refusing(inner.name), tmp_path).transcribe(audio, 8000) == words
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]  # no temporary file left behind


@pytest.mark.slow
def test_a_real_second_model_decode_comes_back_from_disk_equal(tmp_path: Path) -> None:
    primary = WhisperRecognizer(find_whisper_model(None, "en"))
    second = build_second_opinion(primary, language="en", cache_dir=tmp_path / "models")
    if second is None:
        pytest.skip("multilingual whisper base packages not installed (the models extra installs them)")
    sr = 8000
    speech = espeak("Thank you for calling Northwind Energy, goodbye.", "en-gb+m3", sr)
    audio = np.concatenate([np.zeros(sr, dtype=np.float32), speech, np.zeros(sr, dtype=np.float32)])
    decoded = CachedRecognizer(second, tmp_path / "cache").transcribe(audio, sr)
    assert "thank you for calling" in " ".join(u.text for u in decoded).lower()
    again = CachedRecognizer(_Refusing(second.name), tmp_path / "cache").transcribe(audio, sr)
    assert again == decoded and again[0].words == decoded[0].words
