"""Complaint detection (qa/complaints.py) on what the recogniser heard, not on typed text.

Each labelled caller sentence of `bench/data/complaints_asr.tsv` (80 English sentences, half complaints,
written for this bench after the cue lists were settled and never used to change them) is spoken by two
espeak-ng voices and the neural piper voice, passed through the simulated phone line (8 kHz, mu-law,
18–30 dB noise: `callqa.pipeline.augment.phone_line`) and decoded by faster-whisper tiny.en with its
temperature fallback off (one reading per run). Prints precision and recall of "this reading is a
complaint" with 95 % Wilson intervals, on the heard text and, for comparison, on the typed sentences;
per voice; and every reading it gets wrong with what was heard. `--out FILE` keeps the readings as TSV.

Usage: python bench/complaints_asr.py [--out readings.tsv]
"""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import numpy as np

from bench.callgen import piper_voice
from bench.complaints import wilson
from callqa.pipeline.augment import PHONE_SR, check_voices, phone_line, speak
from qa.complaints import is_complaint, load_complaint_cues
from transcription.model_store import find_whisper_model
from transcription.whisper_engine import WhisperRecognizer

SENTENCES = Path(__file__).parent / "data" / "complaints_asr.tsv"
ESPEAK_VOICES = ("en-gb+m3", "en-us+f2")
SEED = 19


def labelled(path: Path = SENTENCES) -> list[tuple[bool, str]]:
    """(is a complaint, sentence) rows of the TSV (label, text)."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line]
    return [(label == "complaint", text) for label, text in rows]


def score(said: list[tuple[bool, bool]]) -> str:
    """'precision (CI)  recall (CI)' of (truth, predicted) pairs."""
    tp = sum(1 for t, p in said if t and p)
    flagged = sum(1 for _, p in said if p)
    actual = sum(1 for t, _ in said if t)
    lo_p, hi_p = wilson(tp, flagged)
    lo_r, hi_r = wilson(tp, actual)
    precision = f"{tp / flagged if flagged else 0:.3f} ({lo_p:.3f}–{hi_p:.3f}, {tp}/{flagged})"
    recall = f"{tp / actual if actual else 0:.3f} ({lo_r:.3f}–{hi_r:.3f}, {tp}/{actual})"
    return f"precision {precision}  recall {recall}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="write the readings (label, voice, text, heard) here")
    args = parser.parse_args()
    check_voices(ESPEAK_VOICES)
    rows = labelled()
    cues = load_complaint_cues(language="en")
    recognizer = WhisperRecognizer(find_whisper_model(None, "en"), language="en", temperature_fallback=False)
    piper = piper_voice(1.0)
    voices = [*ESPEAK_VOICES, "piper-joe"]
    readings: list[tuple[bool, str, str, str]] = []  # truth, voice, sentence, heard
    for n, (truth, text) in enumerate(rows, 1):
        for voice in voices:
            audio = piper(text) if voice == "piper-joe" else speak(text, voice)
            rng = np.random.default_rng([SEED, zlib.crc32(f"{voice}\t{text}".encode())])
            words = recognizer.transcribe(phone_line(audio, rng), PHONE_SR)
            readings.append((truth, voice, text, " ".join(u.text for u in words).strip()))
        print(f"\r{n}/{len(rows)} sentences decoded", end="", flush=True)
    print()
    if args.out:
        lines = ["label\tvoice\ttext\theard"] + [
            f"{'complaint' if t else 'not'}\t{v}\t{s}\t{h}" for t, v, s, h in readings
        ]
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typed = [(t, is_complaint(s, cues)) for t, s in rows]
    heard = [(t, is_complaint(h, cues)) for t, _, _, h in readings]
    print(f"typed sentences  n {len(typed):>3}  {score(typed)}")
    print(f"heard readings   n {len(heard):>3}  {score(heard)}")
    for voice in voices:
        mine = [(t, is_complaint(h, cues)) for t, v, _, h in readings if v == voice]
        print(f"  {voice:<12}   n {len(mine):>3}  {score(mine)}")
    garbled = sum(1 for _, _, s, h in readings if _plain(s) != _plain(h))
    print(f"readings not heard word for word: {garbled}/{len(readings)}")
    for truth, voice, text, said in readings:
        if truth != is_complaint(said, cues):
            print(f"   {'missed' if truth else 'false alarm'} [{voice}]: {text!r} heard {said!r}")


def _plain(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


if __name__ == "__main__":
    main()
