"""Loading call recordings and splitting them into the agent and caller legs.

Audio is kept at its native sample rate (8 kHz telephone audio stays 8 kHz) unless a target rate is asked
for; engines resample only when their model needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import numpy.typing as npt
import soundfile as sf

from transcription.exceptions import (
    EmptyAudioError,
    SilentAudioError,
    TooLongAudioError,
    UnreadableAudioError,
    UnsupportedAudioError,
)
from transcription.recognizer import FloatArray, Speaker

MIN_DURATION_S = 0.1
SILENCE_DBFS = -55.0


@dataclass(frozen=True)
class CallAudio:
    """Decoded audio: `channels` is float32 (n_channels, n_samples) in [-1, 1] at `sample_rate` Hz."""

    channels: FloatArray
    sample_rate: int
    source_format: str

    @property
    def duration_s(self) -> float:
        return float(self.channels.shape[1]) / self.sample_rate


def rms_dbfs(samples: FloatArray) -> float:
    """Root-mean-square level in dB relative to full scale (-inf for digital silence)."""
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def pcm16(samples: FloatArray) -> npt.NDArray[np.int16]:
    """Float samples (−1…1, clipped) as little-endian 16-bit PCM, the input Vosk takes."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def is_silent(samples: FloatArray, threshold_dbfs: float = SILENCE_DBFS) -> bool:
    """True when the signal's loudest 50 ms frame stays below `threshold_dbfs` (no speech to find)."""
    if samples.size == 0:
        return True
    frame = max(1, min(samples.size, 400))
    usable = samples[: samples.size - samples.size % frame].reshape(-1, frame)
    if usable.size == 0:
        return rms_dbfs(samples) < threshold_dbfs
    loudest = float(np.sqrt(np.max(np.mean(np.square(usable, dtype=np.float64), axis=1))))
    return loudest <= 0 or 20.0 * np.log10(loudest) < threshold_dbfs


def _decode(path: Path) -> tuple[FloatArray, int, str]:
    """Decode with libsndfile (WAV PCM/mu-law/A-law, FLAC, OGG/Vorbis, MP3 since libsndfile 1.1)."""
    try:
        with sf.SoundFile(str(path)) as fh:
            data = fh.read(dtype="float32", always_2d=True)
            return np.ascontiguousarray(data.T), int(fh.samplerate), str(fh.format).lower()
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        # libsndfile's message embeds the full path; keep only the reason (paths are not for clients).
        reason = str(exc).rsplit(": ", 1)[-1].strip(" .")
        raise UnreadableAudioError(f"{path.name}: not a readable audio file ({reason})") from exc


def load_call_audio(
    path: Path, *, target_sr: int | None = None, max_duration_s: float | None = None
) -> CallAudio:
    """Decode a WAV (PCM, mu-law, A-law), FLAC, OGG or MP3 file.

    Keeps the native rate unless `target_sr` (Hz) is given. Raises UnreadableAudioError, EmptyAudioError,
    SilentAudioError (every channel silent), UnsupportedAudioError (> 2 channels) or TooLongAudioError.
    """
    if not path.is_file():
        raise UnreadableAudioError(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise EmptyAudioError(f"{path.name}: the file is empty")
    channels, sr, fmt = _decode(path)
    if channels.shape[0] > 2:
        raise UnsupportedAudioError(
            f"{path.name}: {channels.shape[0]} channels; expected mono or stereo (agent/caller legs)"
        )
    if channels.shape[1] < MIN_DURATION_S * sr:
        raise EmptyAudioError(f"{path.name}: the recording holds no audio ({channels.shape[1]} samples)")
    if max_duration_s is not None and channels.shape[1] / sr > max_duration_s:
        raise TooLongAudioError(
            f"{path.name}: {channels.shape[1] / sr:.0f} s is longer than the {max_duration_s:.0f} s limit"
        )
    if all(is_silent(ch) for ch in channels):
        raise SilentAudioError(f"{path.name}: the recording is silent on every channel")
    if target_sr is not None and target_sr != sr:
        channels = librosa.resample(channels, orig_sr=sr, target_sr=target_sr).astype(np.float32)
        sr = target_sr
    return CallAudio(channels=channels, sample_rate=sr, source_format=fmt)


def split_legs(audio: CallAudio, *, agent_channel: int = 0) -> dict[Speaker, FloatArray]:
    """Map channels to speakers: stereo → agent = `agent_channel`, caller = the other.

    Mono recordings carry both parties mixed on one channel; without diarization they are attributed
    to the agent leg only (so agent checks still run, caller sentiment is unavailable).
    """
    if agent_channel not in (0, 1):
        raise UnsupportedAudioError(f"agent channel must be 0 or 1, not {agent_channel}")
    if audio.channels.shape[0] == 1:
        return {"agent": audio.channels[0]}
    return {"agent": audio.channels[agent_channel], "caller": audio.channels[1 - agent_channel]}
