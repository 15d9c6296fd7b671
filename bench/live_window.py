"""Whisper's window for live utterances: word error rate and decode time of each reference turn of English
dev-set calls (cut from its leg with 0.3 s before and 0.5 s after, decoded alone as live assist decodes an
utterance), with the encoder reading whisper's 30 s window and the live window (`live_window_s`, with its
guard against repeats), both without the temperature fallback. Also counts turns whose reading repeats a
3–6-word sequence the reference does not (whisper's loop in a short window).

    python bench/live_window.py --calls 12:30
    python bench/live_window.py --calls 0:30 --window 15
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import jiwer

from callqa.settings import get_settings
from qa.matching import normalize
from transcription.audio import load_call_audio, split_legs
from transcription.model_store import build_recognizer
from transcription.recognizer import FloatArray

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "dev-set"


def repeats(words: list[str]) -> bool:
    """Whether a 3–6-word sequence occurs twice in `words`."""
    for n in range(3, 7):
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        if len(grams) != len(set(grams)):
            return True
    return False


def turns(calls: slice, folder: Path) -> list[tuple[FloatArray, int, str]]:
    """(audio, sample rate, reference text) of every turn of the English calls in `calls` (sorted by name)."""
    found = []
    for meta in sorted(folder.glob("*.json"))[calls]:
        record = json.loads(meta.read_text())
        if record.get("language", "en") != "en":
            continue
        audio = load_call_audio(meta.with_suffix(".wav"))
        legs, rate = split_legs(audio), audio.sample_rate
        for turn in record["turns"]:
            begin, end = max(0, int((turn["start"] - 0.3) * rate)), int((turn["end"] + 0.5) * rate)
            found.append((legs[turn["speaker"]][begin:end], rate, turn["text"]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", default="12:30", help="slice of the sorted dev-set calls, FIRST:LAST")
    parser.add_argument("--window", type=float, default=None, help="live window in s (default: settings)")
    parser.add_argument("--dir", type=Path, default=DEV_SET / "calls")
    args = parser.parse_args()
    settings = get_settings()
    first, last = (int(x) for x in args.calls.split(":"))
    clips = turns(slice(first, last), args.dir)
    references = [" ".join(normalize(text)) for _, _, text in clips]
    window = args.window or settings.live_window_s
    for label, window_s in (("30 s window", None), (f"{window:g} s window", window)):
        recognizer = build_recognizer(
            "whisper", language="en", whisper_temperature_fallback=False, whisper_window_s=window_s
        )
        recognizer.transcribe(clips[0][0], clips[0][1])  # loads what the first decode needs
        heard, began = [], time.perf_counter()
        for audio, rate, _ in clips:
            text = " ".join(u.text for u in recognizer.transcribe(audio, rate))
            heard.append(" ".join(normalize(text)) or "<nothing>")
        seconds = time.perf_counter() - began
        looped = sum(
            repeats(h.split()) and not repeats(r.split()) for h, r in zip(heard, references, strict=True)
        )
        print(
            f"{label}: WER {jiwer.wer(references, heard):.3f}, {looped} of {len(clips)} turns repeat, "
            f"decode {seconds / len(clips):.2f} s per turn (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
