"""Word error rate of the English-capable engines on (a) real recorded phone prompts (Debian's
asterisk-core-sounds-en-wav, transcripts from asterisk-core-sounds-en) and (b) both channels of the
dev-set calls against their reference turns. Prints WER per engine configuration and the RTF.

Usage: python bench/asr_accuracy.py [--prompts 120] [--configs tiny-beam5,tiny-greedy,base-beam5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

import jiwer

from transcription.audio import load_call_audio, split_legs
from transcription.model_cache import join_whisper_base
from transcription.model_store import find_whisper_model
from transcription.pipeline import transcribe_call
from transcription.whisper_engine import WhisperRecognizer

SOUNDS = Path("/usr/share/asterisk/sounds/en")
TEXTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
DEV_CALLS = Path(__file__).resolve().parents[2] / "shared" / "dev-set" / "calls"
CACHE = Path("data/models")
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_NUMBERS = {str(i): w for i, w in enumerate(_DIGITS)}


def normalise(text: str) -> str:
    """Lower case, no punctuation or stage directions, single digits spelled out (prompts spell them)."""
    text = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", text.lower())
    words = re.findall(r"[a-z0-9']+", text.replace("-", " "))
    return " ".join(_NUMBERS.get(w, w) for w in words)


def prompts(limit: int) -> list[tuple[Path, str]]:
    found = []
    with gzip.open(TEXTS, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            name, sep, text = line.partition(":")
            wav = SOUNDS / f"{name.strip()}.wav"
            if sep and normalise(text) and wav.is_file():
                found.append((wav, normalise(text)))
    return sorted(found)[:limit]


def recognizer(config: str) -> WhisperRecognizer:
    model = config.split("-")[0]
    beam = 1 if config.endswith("greedy") else 5
    path = find_whisper_model(None, "en") if model == "tiny" else join_whisper_base(CACHE)
    return WhisperRecognizer(path, language="en", beam_size=beam)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=120)
    parser.add_argument("--configs", default="tiny-beam5,tiny-greedy,base-beam5")
    args = parser.parse_args()
    chosen = prompts(args.prompts)
    calls = sorted(DEV_CALLS.glob("*.wav"))
    print(f"(a) {len(chosen)} asterisk prompts; (b) {len(calls)} dev-set calls x 2 channels")
    print(f"{'config':<14} {'WER (a)':>8} {'WER (b) agent':>14} {'WER (b) caller':>15} {'RTF':>6}")
    for config in args.configs.split(","):
        rec = recognizer(config)
        audio_s = decode_s = 0.0
        refs, hyps = [], []
        for wav, ref in chosen:
            audio = load_call_audio(wav)
            started = time.perf_counter()
            text = " ".join(u.text for u in rec.transcribe(audio.channels[0], audio.sample_rate))
            decode_s += time.perf_counter() - started
            audio_s += audio.duration_s
            refs.append(ref)
            hyps.append(normalise(text))
        wer_a = jiwer.wer(refs, hyps)
        per_speaker: dict[str, tuple[list[str], list[str]]] = {"agent": ([], []), "caller": ([], [])}
        for wav in calls:
            labels = json.loads(wav.with_suffix(".json").read_text())
            audio = load_call_audio(wav)
            hints = [labels["labels"]["company"], labels["labels"]["agent_name"]]
            started = time.perf_counter()
            transcript = transcribe_call(audio, rec, hints=hints)
            decode_s += time.perf_counter() - started
            audio_s += audio.duration_s * len(split_legs(audio))
            for speaker, (r, h) in per_speaker.items():
                r.append(normalise(" ".join(t["text"] for t in labels["turns"] if t["speaker"] == speaker)))
                h.append(normalise(" ".join(s.text for s in transcript.segments if s.speaker == speaker)))
        wer_agent = jiwer.wer(*per_speaker["agent"])
        wer_caller = jiwer.wer(*per_speaker["caller"])
        print(f"{config:<14} {wer_a:8.3f} {wer_agent:14.3f} {wer_caller:15.3f} {decode_s / audio_s:6.3f}")


if __name__ == "__main__":
    main()
