"""What the Chinese labelled-call generators (`bench.heldout_zh`, `bench.heldout_zh_b`) share beyond
`bench.callgen`: reference transcripts written without audio (simplified or traditional characters) and
their command line, with espeak-ng's Mandarin voices for the calls rendered as audio."""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.callgen import BuildCall, run_generator


def write_text_calls(
    out: Path,
    n: int,
    seed: int,
    *,
    prefix: str,
    build_call: BuildCall,
    char_s: float,
    traditional: Callable[[int], bool],
) -> list[Path]:
    """`n` Chinese calls as `<prefix>-<seed>-<i>.json`, reference turns only (no audio), each turn timed at
    `char_s` seconds per character after its pause; call i written in traditional characters (as a
    recogniser may write them, labels unchanged) where `traditional(i)`. Earlier calls of the same prefix
    and seed in `out` are replaced."""
    import opencc  # Chinese sets only; the English generators do not need it

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{prefix}-{seed}-*"):
        old.unlink()
    rng = random.Random(seed)
    to_traditional = opencc.OpenCC("s2t")
    written = []
    for i in range(n):
        turns, labels = build_call(rng)
        in_traditional = traditional(i)
        cursor, reference = 0.0, []
        for speaker, text, pause_s in turns:
            start = cursor + pause_s
            cursor = start + char_s * len(text)
            said = to_traditional.convert(text) if in_traditional else text
            reference.append(
                {"speaker": speaker, "start": round(start, 2), "end": round(cursor, 2), "text": said}
            )
        path = out / f"{prefix}-{seed}-{i:03d}.json"
        record = {
            "id": path.stem,
            "language": "zh",
            "duration_s": round(cursor + 1.0, 2),
            "script": "traditional" if in_traditional else "simplified",
            "labels": labels,
            "turns": reference,
        }
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    print(f"wrote {n} transcripts to {out}")
    return written


def run_zh_generator(
    doc: str | None,
    argv: Sequence[str] | None,
    *,
    prefix: str,
    default_out: Path,
    default_audio_out: Path,
    write_transcripts: Callable[[Path, int, int], list[Path]],
    build_call: BuildCall,
) -> None:
    """The Chinese sets' command line: transcripts only by default (`--n` 60, `--seed`, `--out`), or with
    `--audio` calls spoken by espeak-ng's Mandarin voices through the phone line (`--n` 8)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio", action="store_true", help="render with espeak-ng Mandarin (wav + json)")
    args, rest = parser.parse_known_args(argv)
    if not args.audio:
        transcripts = argparse.ArgumentParser()
        transcripts.add_argument("--n", type=int, default=60)
        transcripts.add_argument("--seed", type=int, default=1)
        transcripts.add_argument("--out", type=Path, default=default_out)
        opts = transcripts.parse_args(rest)
        write_transcripts(opts.out, opts.n, opts.seed)
        return
    paths = run_generator(
        doc,
        prefix=prefix,
        default_out=default_audio_out,
        default_n=8,
        build_call=build_call,
        # cmn-latn-pinyin speaks Mandarin tones; the plain "cmn" voice reads each character's pinyin as
        # English ("nin two hao three"), which no recogniser can be measured on
        agent_voices=["cmn-latn-pinyin"],
        caller_voices=["cmn-latn-pinyin+f3"],
        argv=rest,
    )
    for wav in paths:  # the renderer writes English metadata; these calls are Chinese
        meta = json.loads(wav.with_suffix(".json").read_text())
        meta["language"] = "zh"
        wav.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
