"""A long call (default 60 min, 8 kHz stereo) decoded by Vosk block by block: wall time, RTF, peak memory
and timestamp drift of phrases placed at known times (Korean model: the only Vosk model offline).

Usage: python bench/long_recording.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from transcription.longform import transcribe_long_recording
from transcription.model_store import build_recognizer
from transcription.vosk_engine import VoskRecognizer

SR = 8000
PHRASE = "안녕하세요 고객센터입니다"


def speech() -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", "ko", "--stdout", PHRASE], check=True, capture_output=True
    ).stdout
    audio, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return librosa.resample(audio, orig_sr=rate, target_sr=SR).astype(np.float32) * 0.6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    phrase = speech()
    marks = [60.0 * m + 5.0 for m in range(0, int(args.minutes), 5)]  # a phrase every 5 minutes
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.wav"
        rng = np.random.default_rng(0)
        with sf.SoundFile(str(path), "w", samplerate=SR, channels=2, subtype="PCM_16") as out:
            for minute in range(int(args.minutes)):  # written a minute at a time: the bench stays small too
                block = (rng.standard_normal((60 * SR, 2)) * 0.001).astype(np.float32)
                for mark in marks:
                    if minute * 60 <= mark < (minute + 1) * 60:
                        start = int((mark - minute * 60) * SR)
                        block[start : start + phrase.size, 1] += phrase[: 60 * SR - start]
                out.write(block)
        recognizer = build_recognizer("vosk", language="ko")
        assert isinstance(recognizer, VoskRecognizer)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        transcript = transcribe_long_recording(path, recognizer)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    caller = [s for s in transcript.segments if s.speaker == "caller"]
    drifts = [min((abs(s.start - m) for s in caller), default=float("inf")) for m in marks]
    print(
        f"{args.minutes:.0f} min stereo 8 kHz: decoded in {wall:.0f} s "
        f"(RTF {wall / (args.minutes * 60):.3f} per call)"
    )
    print(
        f"peak RSS {peak:.0f} MB (model loaded before decoding: {before:.0f} MB; "
        f"the whole file as float32 would be {args.minutes * 60 * SR * 2 * 4 / 2**20:.0f} MB)"
    )
    print(
        f"phrases found {sum(d < 1.0 for d in drifts)}/{len(marks)}; max start error {max(drifts):.2f} s "
        f"(first {drifts[0]:.2f} s, last {drifts[-1]:.2f} s)"
    )


if __name__ == "__main__":
    main()
