"""Loading call recordings and splitting them into the agent and caller legs.

Audio is kept at its native sample rate (8 kHz telephone audio stays 8 kHz) unless a target rate or a
highest rate is asked for; engines resample only when their model needs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr

from transcription.exceptions import (
    EmptyAudioError,
    SilentAudioError,
    TooLongAudioError,
    UnreadableAudioError,
    UnsupportedAudioError,
)
from transcription.recognizer import FloatArray, Speaker

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga"})
"""File name endings of the recordings `load_call_audio` reads (ingest, batch transcription, the CLI)."""
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


FRAME_SAMPLES = 400  # the loudness frame of the silence test (50 ms at 8 kHz)
BLOCK_S = 10.0  # decoding reads this many seconds at a time


def _frame_peak_power(samples: FloatArray) -> npt.NDArray[np.float64]:
    """Per channel of a (n_samples, n_channels) block: the highest mean square over its whole
    FRAME_SAMPLES-long frames (over all samples when the block is shorter than one frame)."""
    usable = samples[: samples.shape[0] - samples.shape[0] % FRAME_SAMPLES]
    if usable.shape[0] == 0:
        return np.mean(np.square(samples, dtype=np.float64), axis=0)  # type: ignore[no-any-return]
    framed = usable.reshape(-1, FRAME_SAMPLES, samples.shape[1])
    return np.max(np.mean(np.square(framed, dtype=np.float64), axis=1), axis=0)  # type: ignore[no-any-return]


def _is_quiet(peak_power: float, threshold_dbfs: float) -> bool:
    return peak_power <= 0 or 10.0 * np.log10(peak_power) < threshold_dbfs


def is_silent(samples: FloatArray, threshold_dbfs: float = SILENCE_DBFS) -> bool:
    """True when the signal's loudest 50 ms frame stays below `threshold_dbfs` (no speech to find)."""
    if samples.size == 0:
        return True
    return _is_quiet(float(_frame_peak_power(samples.reshape(-1, 1))[0]), threshold_dbfs)


@dataclass(frozen=True)
class AudioInfo:
    """What a recording's header says, read without decoding: rate (Hz), channels, length in frames."""

    sample_rate: int
    channels: int
    frames: int
    source_format: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def _unreadable(path: Path, exc: Exception) -> UnreadableAudioError:
    # libsndfile's message embeds the full path; keep only the reason (paths are not for clients).
    reason = str(exc).rsplit(": ", 1)[-1].strip(" .")
    return UnreadableAudioError(f"{path.name}: not a readable audio file ({reason})")


def read_audio_info(path: Path, *, max_duration_s: float | None = None) -> AudioInfo:
    """The header of a WAV (PCM, mu-law, A-law), FLAC, OGG or MP3 file, checked before any decoding.

    Raises UnreadableAudioError, EmptyAudioError, UnsupportedAudioError (> 2 channels) or
    TooLongAudioError (longer than `max_duration_s` seconds).
    """
    if not path.is_file():
        raise UnreadableAudioError(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise EmptyAudioError(f"{path.name}: the file is empty")
    try:
        header = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise _unreadable(path, exc) from exc
    info = AudioInfo(
        int(header.samplerate), int(header.channels), int(header.frames), str(header.format).lower()
    )
    if info.channels > 2:
        raise UnsupportedAudioError(
            f"{path.name}: {info.channels} channels; expected mono or stereo (agent/caller legs)"
        )
    if info.frames < MIN_DURATION_S * info.sample_rate:
        raise EmptyAudioError(f"{path.name}: the recording holds no audio ({info.frames} samples)")
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise TooLongAudioError(
            f"{path.name}: {info.duration_s:.0f} s is longer than the {max_duration_s:.0f} s limit"
        )
    return info


def audio_blocks(path: Path, info: AudioInfo, *, block_s: float = BLOCK_S) -> Iterator[FloatArray]:
    """The recording as float32 (n_samples, n_channels) blocks of about `block_s` seconds (a whole number
    of silence-test frames), decoded one at a time: memory holds one block, whatever the length."""
    frames = max(FRAME_SAMPLES, int(block_s * info.sample_rate) // FRAME_SAMPLES * FRAME_SAMPLES)
    try:
        yield from sf.blocks(str(path), blocksize=frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise _unreadable(path, exc) from exc


def probe_call_audio(path: Path, *, max_duration_s: float | None = None) -> AudioInfo:
    """Everything `load_call_audio` checks, in one block of memory: the header (refusing a too long file
    before decoding), then a block-wise scan that the recording is not silent on every channel."""
    info = read_audio_info(path, max_duration_s=max_duration_s)
    loudest = np.zeros(info.channels, dtype=np.float64)
    for block in audio_blocks(path, info):
        loudest = np.maximum(loudest, _frame_peak_power(block))
    _check_not_silent(path, loudest)
    return info


def _check_not_silent(path: Path, loudest: npt.NDArray[np.float64]) -> None:
    """`loudest`: each channel's highest frame power, from `_frame_peak_power` over all blocks."""
    if all(_is_quiet(float(p), SILENCE_DBFS) for p in loudest):
        raise SilentAudioError(f"{path.name}: the recording is silent on every channel")


def load_call_audio(
    path: Path,
    *,
    target_sr: int | None = None,
    max_rate: int | None = None,
    max_duration_s: float | None = None,
) -> CallAudio:
    """Decode a WAV (PCM, mu-law, A-law), FLAC, OGG or MP3 file.

    The header is checked first (see `read_audio_info`), so a too long recording is refused before any
    decoding; then blocks are decoded straight into one (channels, samples) array: the peak is that array
    (4 bytes per sample per channel) plus one block. The native rate is kept, except that `target_sr` (Hz)
    resamples to that rate and `max_rate` (Hz) resamples a recording above it down to it. Resampling runs
    block by block (soxr's stream), so no native-rate copy of the whole recording is ever held: 4 h of
    48 kHz stereo read with `max_rate` 16000 peaks at its 16 kHz array (1.8 GB), not at 5.5 GB.
    Raises what `read_audio_info` raises, and SilentAudioError (every channel silent).
    """
    info = read_audio_info(path, max_duration_s=max_duration_s)
    rate = target_sr or (min(info.sample_rate, max_rate) if max_rate else info.sample_rate)
    resampler = (
        soxr.ResampleStream(info.sample_rate, rate, info.channels, dtype="float32")
        if rate != info.sample_rate
        else None
    )
    filler = _Filler(info.channels, math.ceil(info.frames * rate / info.sample_rate))
    loudest = np.zeros(info.channels, dtype=np.float64)  # judged per block: no whole-length temporaries
    for block in audio_blocks(path, info):
        loudest = np.maximum(loudest, _frame_peak_power(block))
        filler.add(block if resampler is None else resampler.resample_chunk(block))
    if resampler is not None:
        filler.add(resampler.resample_chunk(np.zeros((0, info.channels), np.float32), last=True))
    channels = filler.result()
    if channels.shape[1] < MIN_DURATION_S * rate:
        raise EmptyAudioError(f"{path.name}: the recording holds no audio ({channels.shape[1]} samples)")
    _check_not_silent(path, loudest)
    return CallAudio(channels=channels, sample_rate=rate, source_format=info.source_format)


class _Filler:
    """Blocks of (samples, channels) copied into one preallocated (channels, samples) array of the length
    the header promises; compressed formats (and a resampler's rounding) may give a little more, kept apart
    and joined at the end."""

    def __init__(self, n_channels: int, expected: int) -> None:
        self._array = np.empty((n_channels, expected), dtype=np.float32)
        self._filled = 0
        self._extra: list[FloatArray] = []

    def add(self, block: FloatArray) -> None:
        take = min(block.shape[0], self._array.shape[1] - self._filled)
        self._array[:, self._filled : self._filled + take] = block[:take].T
        self._filled += take
        if take < block.shape[0]:
            self._extra.append(np.ascontiguousarray(block[take:].T))

    def result(self) -> FloatArray:
        if self._extra:
            return np.concatenate([self._array, *self._extra], axis=1)
        return self._array[:, : self._filled]


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
