"""Loading every supported format at its native rate, channel handling, and every bad-input error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

from transcription.audio import is_silent, load_call_audio, probe_call_audio, split_legs
from transcription.exceptions import (
    EmptyAudioError,
    SilentAudioError,
    TooLongAudioError,
    UnreadableAudioError,
    UnsupportedAudioError,
)


def _signal(sr: int, channels: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    legs = [0.4 * np.sin(2 * np.pi * (300 + 200 * c) * t) for c in range(channels)]
    return np.stack(legs, axis=1).astype(np.float32)


@pytest.mark.parametrize("sr", [8000, 16000, 44100, 48000])
@pytest.mark.parametrize(
    ("suffix", "fmt", "subtype"),
    [
        (".wav", "WAV", "PCM_16"),
        (".wav", "WAV", "ULAW"),
        (".wav", "WAV", "ALAW"),
        (".flac", "FLAC", "PCM_16"),
        (".ogg", "OGG", "VORBIS"),
    ],
)
@pytest.mark.parametrize("channels", [1, 2])
def test_formats_load_at_native_rate(
    tmp_path: Path, sr: int, suffix: str, fmt: str, subtype: str, channels: int
) -> None:
    path = tmp_path / f"x{suffix}"
    sf.write(path, _signal(sr, channels), sr, format=fmt, subtype=subtype)
    audio = load_call_audio(path)
    assert audio.sample_rate == sr
    assert audio.channels.shape[0] == channels
    assert abs(audio.duration_s - 1.0) < 0.05
    assert audio.channels.dtype == np.float32


def test_mp3_loads(tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is required to make the MP3 fixture (make system-deps installs it)")
    wav, mp3 = tmp_path / "x.wav", tmp_path / "x.mp3"
    sf.write(wav, _signal(16000, 2, 2.0), 16000)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), str(mp3)], check=True)
    audio = load_call_audio(mp3)
    assert audio.channels.shape[0] == 2 and audio.sample_rate == 16000
    assert 1.9 < audio.duration_s < 2.2


def test_target_rate_resamples(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    sf.write(path, _signal(8000, 2), 8000)
    audio = load_call_audio(path, target_sr=16000)
    assert audio.sample_rate == 16000 and abs(audio.channels.shape[1] - 16000) < 10


def test_highest_rate_resamples_a_long_wideband_recording_block_by_block(tmp_path: Path) -> None:
    """25 s of 48 kHz stereo (three decoding blocks) read with max_rate 16000: the length and each leg's
    tone are kept, and the block-wise stream matches resampling the whole recording at once (so block
    edges add no clicks)."""
    path = tmp_path / "wide.wav"
    data = _signal(48000, 2, 25.0)
    sf.write(path, data, 48000, subtype="FLOAT")
    audio = load_call_audio(path, max_rate=16000)
    assert audio.sample_rate == 16000
    assert abs(audio.channels.shape[1] - 25 * 16000) <= 2
    whole = librosa.resample(data.T, orig_sr=48000, target_sr=16000)
    n = min(whole.shape[1], audio.channels.shape[1])
    assert np.max(np.abs(audio.channels[:, 100 : n - 100] - whole[:, 100 : n - 100])) < 1e-3
    for channel, tone_hz in enumerate((300, 500)):
        spectrum = np.abs(np.fft.rfft(audio.channels[channel]))
        peak_hz = np.argmax(spectrum) * 16000 / audio.channels.shape[1]
        assert abs(peak_hz - tone_hz) < 1


def test_highest_rate_never_upsamples(tmp_path: Path) -> None:
    path = tmp_path / "phone.wav"
    sf.write(path, _signal(8000, 2), 8000)
    audio = load_call_audio(path, max_rate=16000)
    assert audio.sample_rate == 8000 and audio.channels.shape[1] == 8000


def test_split_legs_follows_agent_channel(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    data = _signal(8000, 2)
    data[:, 1] *= 0.5
    sf.write(path, data, 8000)
    audio = load_call_audio(path)
    default = split_legs(audio)
    swapped = split_legs(audio, agent_channel=1)
    assert np.abs(default["agent"]).max() > np.abs(default["caller"]).max()
    assert np.array_equal(swapped["agent"], default["caller"])
    with pytest.raises(UnsupportedAudioError):
        split_legs(audio, agent_channel=2)


def test_mono_is_the_agent_leg(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    sf.write(path, _signal(8000, 1), 8000)
    assert list(split_legs(load_call_audio(path))) == ["agent"]


def test_missing_garbage_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(UnreadableAudioError, match="no such file"):
        load_call_audio(tmp_path / "nope.wav")
    garbage = tmp_path / "g.wav"
    garbage.write_bytes(b"this is not audio" * 100)
    with pytest.raises(UnreadableAudioError, match="not a readable audio file"):
        load_call_audio(garbage)
    empty = tmp_path / "e.wav"
    empty.write_bytes(b"")
    with pytest.raises(EmptyAudioError, match="empty"):
        load_call_audio(empty)
    header_only = tmp_path / "h.wav"
    sf.write(header_only, np.zeros((0, 2), dtype=np.float32), 8000)
    with pytest.raises((EmptyAudioError, UnreadableAudioError)):
        load_call_audio(header_only)


def test_truncated_wav_loads_what_is_there(tmp_path: Path) -> None:
    full = tmp_path / "full.wav"
    sf.write(full, _signal(8000, 2, 2.0), 8000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(full.read_bytes()[: 44 + 8000 * 4 // 2])  # header claims 2 s, half a second present
    audio = load_call_audio(cut)
    assert 0.4 < audio.duration_s < 0.6


def test_silent_too_long_and_too_many_channels(tmp_path: Path) -> None:
    silent = tmp_path / "s.wav"
    sf.write(silent, np.zeros((8000, 2), dtype=np.float32), 8000)
    with pytest.raises(SilentAudioError):
        load_call_audio(silent)
    long = tmp_path / "l.wav"
    sf.write(long, _signal(8000, 1, 3.0), 8000)
    with pytest.raises(TooLongAudioError):
        load_call_audio(long, max_duration_s=2.0)
    three = tmp_path / "t.wav"
    sf.write(three, _signal(8000, 3), 8000)
    with pytest.raises(UnsupportedAudioError, match="3 channels"):
        load_call_audio(three)


def test_is_silent_sees_low_noise_as_silence_and_speech_level_as_signal() -> None:
    rng = np.random.default_rng(0)
    assert is_silent(rng.normal(0, 0.0005, 8000).astype(np.float32))
    assert not is_silent(_signal(8000, 1)[:, 0])


@pytest.mark.parametrize(
    ("samples", "max_s", "error"),
    [
        (np.zeros((8000, 2), dtype=np.float32), None, SilentAudioError),
        (_signal(8000, 1, 3.0), 2.0, TooLongAudioError),
        (_signal(8000, 3), None, UnsupportedAudioError),
        (_signal(8000, 2, 0.05), None, EmptyAudioError),
        (np.concatenate([np.zeros((8000 * 25, 2)), _signal(8000, 2, 0.1)]).astype(np.float32), None, None),
    ],
)
def test_probe_accepts_and_refuses_what_decoding_would(
    tmp_path: Path, samples: np.ndarray, max_s: float | None, error: type[Exception] | None
) -> None:
    """The block-wise probe (ingest) and the full decode (worker) agree, including a signal that starts only
    in the third 10 s block."""
    path = tmp_path / "a.flac"
    sf.write(path, samples, 8000, subtype="PCM_16")
    if error is None:
        info = probe_call_audio(path, max_duration_s=max_s)
        audio = load_call_audio(path, max_duration_s=max_s)
        assert (info.sample_rate, info.channels) == (audio.sample_rate, audio.channels.shape[0])
        assert info.duration_s == pytest.approx(audio.duration_s)
        assert np.array_equal(audio.channels, sf.read(path, dtype="float32", always_2d=True)[0].T)
        return
    with pytest.raises(error):
        probe_call_audio(path, max_duration_s=max_s)
    with pytest.raises(error):
        load_call_audio(path, max_duration_s=max_s)
