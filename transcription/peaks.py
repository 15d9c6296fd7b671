"""A recording's waveform outline for display: the loudest sample per time bucket of each channel, read
block by block (memory holds one decoding block, whatever the call's length)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from transcription.audio import audio_blocks, read_audio_info


def waveform_peaks(path: Path, *, points: int = 1000) -> tuple[list[list[float]], float]:
    """Per channel (file order), `points` values in [0, 1]: the largest |sample| of each of `points`
    equal time buckets (fewer when the recording has fewer samples), rounded to 3 decimals; and the
    duration in seconds. Raises transcription's audio errors for a missing or unreadable file."""
    info = read_audio_info(path)
    size = max(1, math.ceil(info.frames / points))
    peaks = np.zeros((math.ceil(info.frames / size), info.channels), dtype=np.float32)
    offset = 0
    for block in audio_blocks(path, info):
        index = np.arange(offset, offset + len(block))
        # Where a bucket starts inside this block (and the block's own start): reduce each run at once.
        starts = np.flatnonzero((index % size == 0) | (index == offset))
        loudest = np.maximum.reduceat(np.abs(block), starts, axis=0)
        buckets = index[starts] // size
        peaks[buckets] = np.maximum(peaks[buckets], loudest)
        offset += len(block)
    outline = np.round(np.minimum(peaks.astype(np.float64), 1.0), 3)
    return [outline[:, c].tolist() for c in range(info.channels)], info.duration_s
