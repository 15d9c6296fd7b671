"""The waveform outline of a real file written with soundfile: each bucket holds its loudest sample, per
channel, across decoding-block boundaries, and the duration is the file's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from transcription.exceptions import UnreadableAudioError
from transcription.peaks import waveform_peaks


def test_each_bucket_holds_its_loudest_sample_per_channel(tmp_path: Path) -> None:
    samples = np.zeros((8000 * 25, 2), dtype=np.float32)  # 25 s: three 10 s decoding blocks
    samples[8000:8010, 0] = 0.5  # agent, second 1
    samples[80_000, 1] = -0.9  # caller, second 10: the first sample of the second block
    samples[-1, 1] = 0.25  # the very last sample
    path = tmp_path / "call.wav"
    sf.write(path, samples, 8000, subtype="PCM_16")
    peaks, duration = waveform_peaks(path, points=100)
    assert duration == 25.0 and [len(p) for p in peaks] == [100, 100]
    agent, caller = peaks
    assert {i: v for i, v in enumerate(agent) if v} == {4: 0.5}  # 1 s of 25 s in 100 buckets
    assert {i: v for i, v in enumerate(caller) if v} == {40: 0.9, 99: 0.25}


def test_a_short_mono_file_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    sf.write(path, np.full(2000, 0.5, dtype=np.float32), 8000, subtype="PCM_16")
    peaks, duration = waveform_peaks(path, points=4000)  # fewer samples than points: one per sample
    assert len(peaks) == 1 and len(peaks[0]) == 2000 and duration == 0.25
    with pytest.raises(UnreadableAudioError):
        waveform_peaks(tmp_path / "gone.wav")
