"""Audio sources for streaming: a file played at real time (tests, demos) and a microphone (PyAudio).

Both yield float32 mono chunks at `sample_rate`; a source is an iterator and stops at end of audio
(file) or when closed (microphone).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from transcription.audio import load_call_audio, split_legs
from transcription.exceptions import AudioError
from transcription.recognizer import FloatArray, Speaker


def file_chunks(
    path: Path, *, speaker: Speaker = "agent", chunk_s: float = 0.1, realtime: bool = True
) -> tuple[int, Iterator[FloatArray]]:
    """(sample rate, chunks) of one leg of a recording; `realtime` paces them like a live call."""
    audio = load_call_audio(path)
    legs = split_legs(audio)
    if speaker not in legs:
        raise AudioError(f"{path.name}: no {speaker} leg in a mono recording")
    samples, rate = legs[speaker], audio.sample_rate
    step = max(1, int(chunk_s * rate))

    def chunks() -> Iterator[FloatArray]:
        started = time.monotonic()
        for begin in range(0, samples.size, step):
            if realtime:
                delay = begin / rate - (time.monotonic() - started)
                if delay > 0:
                    time.sleep(delay)
            yield samples[begin : begin + step]

    return rate, chunks()


def call_chunks(
    path: Path, *, chunk_s: float = 0.1, realtime: bool = True
) -> tuple[int, Iterator[tuple[Speaker, FloatArray]]]:
    """(sample rate, (leg, chunk) pairs) of every leg of a recording, leg by leg for each `chunk_s`
    stretch; `realtime` paces them like a live call. A mono recording has the agent leg only."""
    audio = load_call_audio(path)
    legs = split_legs(audio)
    rate = audio.sample_rate
    step = max(1, int(chunk_s * rate))
    length = max(samples.size for samples in legs.values())

    def chunks() -> Iterator[tuple[Speaker, FloatArray]]:
        started = time.monotonic()
        for begin in range(0, length, step):
            if realtime:
                delay = begin / rate - (time.monotonic() - started)
                if delay > 0:
                    time.sleep(delay)
            for speaker, samples in legs.items():
                yield speaker, samples[begin : begin + step]

    return rate, chunks()


class MicrophoneError(AudioError):
    """PyAudio is missing, or the input device cannot be opened (the message names the fix)."""


def microphone_chunks(
    *,
    device: int | None = None,
    sample_rate: int = 16000,
    chunk_s: float = 0.1,
    seconds: float | None = None,
    channels: int = 1,
) -> Iterator[FloatArray]:
    """Chunks from an input device through PyAudio (16-bit), for `seconds` or until closed: samples for
    one channel, (samples, channels) for more (a stereo device carrying both legs of a call)."""
    try:
        import pyaudio
    except ImportError as exc:
        raise MicrophoneError(
            "PyAudio is not installed: apt install portaudio19-dev, then pip install 'callqa[mic]'"
        ) from exc
    pa = pyaudio.PyAudio()
    frames = max(1, int(chunk_s * sample_rate))
    # PortAudio does not validate indexes (an unknown one crashes the process): check first.
    if device is not None and (
        not 0 <= device < pa.get_device_count()
        or int(pa.get_device_info_by_index(device).get("maxInputChannels", 0)) < 1
    ):
        count = pa.get_device_count()
        pa.terminate()
        raise MicrophoneError(
            f"cannot open input device {device}: no such input device ({count} devices; "
            "see `callqa listen --list-devices`)"
        )
    try:
        stream = pa.open(
            format=pyaudio.paInt16,
            channels=channels,
            rate=sample_rate,
            input=True,
            input_device_index=device,
            frames_per_buffer=frames,
        )
    except (OSError, ValueError) as exc:
        pa.terminate()
        raise MicrophoneError(
            f"cannot open input device {device if device is not None else '(default)'}: {exc}"
        ) from exc
    try:
        total = 0
        while seconds is None or total < seconds * sample_rate:
            data = stream.read(frames, exception_on_overflow=False)
            total += frames
            samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
            yield samples if channels == 1 else samples.reshape(-1, channels)
    finally:
        stream.stop_stream()
        stream.close()
        pa.terminate()


def input_devices() -> list[tuple[int, str, int]]:
    """(index, name, default sample rate) of the input devices PyAudio sees."""
    try:
        import pyaudio
    except ImportError as exc:
        raise MicrophoneError("PyAudio is not installed: pip install 'callqa[mic]'") from exc
    pa = pyaudio.PyAudio()
    try:
        found = []
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            if int(info.get("maxInputChannels", 0)) > 0:
                found.append((i, str(info["name"]), int(info["defaultSampleRate"])))
        return found
    finally:
        pa.terminate()
