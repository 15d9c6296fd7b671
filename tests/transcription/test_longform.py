"""Block-wise decoding of long recordings (bounded memory): words land at the right times on the right leg."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.transcription.conftest import espeak
from transcription.exceptions import UnreadableAudioError
from transcription.longform import transcribe_long_recording
from transcription.model_store import build_recognizer
from transcription.vosk_engine import VoskRecognizer

pytestmark = pytest.mark.slow


def test_phrases_keep_their_times_across_blocks(tmp_path: Path) -> None:
    recognizer = build_recognizer("vosk", language="ko")
    assert isinstance(recognizer, VoskRecognizer)
    sr = 8000
    phrase = espeak("안녕하세요 고객센터입니다", "ko", sr) * 0.6
    audio = (np.random.default_rng(0).standard_normal((45 * sr, 2)) * 0.001).astype(np.float32)
    marks = {"agent": 27.5, "caller": 4.0}  # 27.5 s: the phrase crosses the 28 s block boundary
    for channel, at in enumerate(marks.values()):  # channel 0 = agent, 1 = caller
        start = int(at * sr)
        audio[start : start + phrase.size, channel] += phrase
    path = tmp_path / "long.wav"
    sf.write(path, audio, sr, subtype="PCM_16")

    transcript = transcribe_long_recording(path, recognizer, block_s=7.0)
    assert transcript.duration_s == pytest.approx(45.0)
    for speaker, at in marks.items():
        mine = [s for s in transcript.segments if s.speaker == speaker]
        assert mine, f"nothing decoded on the {speaker} leg"
        assert mine[0].start == pytest.approx(at, abs=0.5)
        assert all(w.start >= at - 0.5 for s in mine for w in s.words)


def test_unreadable_long_recording_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(UnreadableAudioError, match=r"bad\.wav"):
        transcribe_long_recording(bad, build_recognizer("vosk", language="ko"))  # type: ignore[arg-type]
