"""Peak memory of reading the longest allowed recording: the ingest probe and the worker's decode.

Writes a stereo FLAC as long as `CALLQA_MAX_DURATION_S` allows (a quiet tone, so it is not refused as
silent), then measures each path in a fresh child process and prints its peak RSS and the baseline (a
process that only imports the same modules):

    python bench/decode_memory.py [--rate 8000] [--seconds N] [--out /tmp/callqa-bench]

The probe (ingest, upload) reads the header and scans 10 s blocks: its peak does not grow with length.
The decode (worker) fills one float32 array of channels x samples (4 bytes each) block by block, resampled
down to CALLQA_DECODE_MAX_RATE_HZ on the way when recorded above it: its peak is that array plus one block,
with no native-rate copy (`--rate 48000` shows it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from callqa.settings import get_settings

MEASURE = """
import sys, time
from pathlib import Path
from transcription.audio import load_call_audio, probe_call_audio
path, mode = Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
if mode == "probe":
    info = probe_call_audio(path, max_duration_s=float(sys.argv[3]))
elif mode == "decode":
    info = load_call_audio(path, max_rate=int(sys.argv[4]), max_duration_s=float(sys.argv[3]))
# VmHWM, not ru_maxrss: the latter survives exec and would report this bench's own peak (it may have just
# written a large recording) as the child's.
hwm_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(hwm_kb // 1024, round(time.perf_counter() - start, 1))
"""


def write_recording(path: Path, seconds: float, rate: int) -> None:
    minute = np.arange(rate * 60) / rate
    block = np.stack(
        [0.05 * np.sin(2 * np.pi * 440 * minute), 0.05 * np.sin(2 * np.pi * 660 * minute)], axis=1
    )
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, format="FLAC", subtype="PCM_16") as fh:
        left = int(seconds * rate)
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)


def measure(path: Path, mode: str, limit_s: float, max_rate: int) -> tuple[int, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), mode, str(limit_s), str(max_rate)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb, wall_s = done.stdout.split()
    return int(peak_mb), float(wall_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=8000, help="sample rate (Hz) of the test recording")
    parser.add_argument("--seconds", type=float, default=None, help="length; default: the configured limit")
    parser.add_argument("--out", type=Path, default=Path("/tmp/callqa-bench"))
    args = parser.parse_args()
    settings = get_settings()
    limit_s, max_rate = settings.max_duration_s, settings.decode_max_rate_hz
    seconds = args.seconds or limit_s
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"longest-{int(seconds)}s-{args.rate}hz.flac"
    if not path.exists():
        write_recording(path, seconds, args.rate)
    array_mb = seconds * min(args.rate, max_rate) * 2 * 4 / 2**20
    size_mb = path.stat().st_size / 2**20
    print(f"recording: {seconds / 3600:.2f} h stereo at {args.rate} Hz ({size_mb:.0f} MB FLAC)")
    print(f"float32 samples the worker holds (at most {max_rate} Hz): {array_mb:.0f} MB")
    for mode in ("baseline", "probe", "decode"):
        peak, wall = measure(path, mode, limit_s, max_rate)
        print(f"{mode:9s} peak RSS {peak:6d} MB  ({wall:.1f} s)")


if __name__ == "__main__":
    main()
