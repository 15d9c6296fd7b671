"""The real engines: Vosk with the Korean model, faster-whisper tiny.en on real recorded prompts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.transcription.conftest import ASTERISK_SOUNDS, asterisk_prompts, espeak
from transcription.audio import load_call_audio
from transcription.exceptions import ModelNotFoundError, SilentAudioError
from transcription.model_store import build_recognizer, find_vosk_model, find_whisper_model
from transcription.pipeline import transcribe_call
from transcription.recognizer import Recognizer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vosk_ko() -> Recognizer:
    return build_recognizer("vosk", language="ko")


@pytest.fixture(scope="module")
def whisper_en() -> Recognizer:
    return build_recognizer("whisper", language="en")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_vosk_decodes_korean_speech_per_channel_with_word_times(vosk_ko: Recognizer, tmp_path: Path) -> None:
    sr = 8000
    speech = espeak("안녕하세요 고객센터입니다 무엇을 도와드릴까요", "ko", sr)
    offset_s = 1.5
    stereo = np.zeros((int(sr * offset_s) + len(speech) + sr, 2), dtype=np.float32)
    stereo[int(sr * offset_s) : int(sr * offset_s) + len(speech), 1] = speech * 0.7  # caller leg only
    stereo[:, 0] += np.random.default_rng(1).normal(0, 0.0003, len(stereo)).astype(np.float32)
    path = tmp_path / "ko.wav"
    sf.write(path, stereo, sr, subtype="PCM_16")

    transcript = transcribe_call(load_call_audio(path), vosk_ko, language="ko")
    assert transcript.engine.startswith("vosk:")
    words = [w for s in transcript.segments for w in s.words]
    assert words, "Vosk returned no words for clear Korean speech"
    assert {s.speaker for s in transcript.segments} == {"caller"}  # the silent agent leg yields nothing
    end_of_speech = offset_s + len(speech) / sr
    for w in words:
        assert offset_s - 0.3 <= w.start < w.end <= end_of_speech + 0.5
        assert 0.0 <= w.conf <= 1.0
    assert any(re.search(r"[가-힣]", w.text) for w in words)


def test_vosk_agent_channel_switch_moves_the_speaker(vosk_ko: Recognizer, tmp_path: Path) -> None:
    sr = 16000
    speech = espeak("감사합니다 안녕히 계세요", "ko", sr)
    stereo = np.zeros((len(speech) + sr, 2), dtype=np.float32)
    stereo[: len(speech), 0] = speech * 0.7
    path = tmp_path / "ko16.wav"
    sf.write(path, stereo, sr)
    audio = load_call_audio(path)
    assert {s.speaker for s in transcribe_call(audio, vosk_ko).segments} == {"agent"}
    assert {s.speaker for s in transcribe_call(audio, vosk_ko, agent_channel=1).segments} == {"caller"}


@pytest.mark.parametrize("prompt", ["agent-pass", "conf-getpin", "pbx-invalid"])
def test_whisper_transcribes_real_recorded_prompts(whisper_en: Recognizer, prompt: str) -> None:
    reference = asterisk_prompts()[prompt]
    audio = load_call_audio(ASTERISK_SOUNDS / f"{prompt}.wav")
    assert audio.sample_rate == 8000
    utterances = whisper_en.transcribe(audio.channels[0], audio.sample_rate)
    heard = _words(" ".join(u.text for u in utterances))
    expected = {w for w in _words(reference) if len(w) > 3}
    assert len(heard & expected) >= 0.75 * len(expected), (reference, heard)
    for u in utterances:
        assert all(0 <= w.start <= w.end <= audio.duration_s + 0.5 for w in u.words)


def test_whisper_invents_nothing_in_line_noise(whisper_en: Recognizer) -> None:
    noise = np.random.default_rng(3).normal(0, 0.01, 8000 * 20).astype(np.float32)
    assert whisper_en.transcribe(noise, 8000) == []


def test_silent_call_is_refused_by_the_pipeline(whisper_en: Recognizer, tmp_path: Path) -> None:
    from transcription.audio import CallAudio

    audio = CallAudio(np.zeros((2, 8000), dtype=np.float32), 8000, "wav")
    with pytest.raises(SilentAudioError):
        transcribe_call(audio, whisper_en)


def test_model_discovery_names_the_fix(tmp_path: Path) -> None:
    assert (find_vosk_model(None, "ko") / "am").is_dir()
    assert (find_whisper_model(None, "en") / "model.bin").is_file()
    with pytest.raises(ModelNotFoundError, match="CALLQA_VOSK_MODEL_PATH"):
        find_vosk_model(None, "fr")
    with pytest.raises(ModelNotFoundError, match="not a Vosk model"):
        find_vosk_model(tmp_path, "ko")
    with pytest.raises(ModelNotFoundError, match=r"model\.bin"):
        find_whisper_model(tmp_path, "en")
    with pytest.raises(ModelNotFoundError, match=r"Vosk.*faster-whisper"):
        build_recognizer("auto", language="fr")
    assert build_recognizer("auto", language="ko").name.startswith("vosk:")
    assert build_recognizer("auto", language="en").name.startswith("faster-whisper:")


def test_vosk_keeps_n_best_alternatives_through_the_pipeline(tmp_path: Path) -> None:
    from transcription.vosk_engine import VoskRecognizer

    recognizer = VoskRecognizer(find_vosk_model(None, "ko"), max_alternatives=3)
    sr = 8000
    speech = espeak("안녕하세요 고객센터입니다 무엇을 도와드릴까요", "ko", sr)
    stereo = np.zeros((len(speech) + 2 * sr, 2), dtype=np.float32)
    stereo[sr : sr + len(speech), 0] = speech * 0.7
    path = tmp_path / "nbest.wav"
    sf.write(path, stereo, sr, subtype="PCM_16")
    transcript = transcribe_call(load_call_audio(path), recognizer, language="ko")
    [first, *_] = transcript.segments
    assert first.speaker == "agent" and first.alternatives
    assert all(alt != first.text and re.search(r"[가-힣]", alt) for alt in first.alternatives)
    assert all(0.0 < w.conf <= 1.0 for w in first.words)
