"""ASR speed on the dev-set calls: real-time factor per channel on one core, pipeline throughput on all
cores (call-minutes per wall-minute), and peak memory, for each engine.

faster-whisper decodes English with tiny.en; Vosk is measured with the Korean model (the only Vosk model
that installs offline), so its figure is speed only, not accuracy. Usage:
    python bench/asr_speed.py [--calls DIR] [--limit 10] [--engines whisper,vosk]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DEFAULT_CALLS = Path(__file__).resolve().parents[2] / "shared" / "dev-set" / "calls"


def _recognizer(engine: str, threads: int):  # type: ignore[no-untyped-def]
    from transcription.model_store import build_recognizer

    language = "ko" if engine == "vosk" else "en"
    return build_recognizer(engine, language=language, threads=threads)


def _decode_call(args: tuple[str, str]) -> tuple[float, float]:
    """(audio seconds over both legs, decode seconds) for one call, in a worker process (1 thread)."""
    engine, path = args
    from transcription.audio import load_call_audio, split_legs

    recognizer = _recognizer(engine, 1)
    audio = load_call_audio(Path(path))
    spent = 0.0
    for samples in split_legs(audio).values():
        started = time.perf_counter()
        recognizer.transcribe(samples, audio.sample_rate)
        spent += time.perf_counter() - started
    return 2 * audio.duration_s, spent


def _pipeline_rtf(files: list[str], second_opinion: bool, remarks: bool = True) -> tuple[float, int, int]:
    """(wall seconds of the whole pipeline per second of call, checks read a second time, remarks heard
    only by a second decoding) over `files`, one process, with or without the second reading of doubtful
    greeting/closing windows and (`remarks`) of agent sentences heard unsurely."""
    import json

    from callqa.pipeline.analyzer import CallAnalyzer
    from callqa.settings import Settings
    from qa.remark_reading import SECOND_READING

    analyzer = CallAnalyzer(Settings(second_opinion=second_opinion, second_opinion_remarks=remarks))
    analyzer.analyze_file(Path(files[0]))  # models loaded before timing
    call_s = wall = 0.0
    reread = added = 0
    for f in files:
        labels = json.loads(Path(f).with_suffix(".json").read_text()).get("labels", {})
        started = time.perf_counter()
        result = analyzer.analyze_file(
            Path(f), company=labels.get("company"), agent_name=labels.get("agent_name")
        )
        wall += time.perf_counter() - started
        call_s += result.transcript.duration_s
        reread += sum("second decoding" in c.reason for c in result.analysis.checks.values())
        added += sum(v.source == SECOND_READING for v in result.analysis.violations)
    return wall / call_s, reread, added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=Path, default=DEFAULT_CALLS)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--engines", default="whisper,vosk")
    args = parser.parse_args()
    files = sorted(str(p) for p in args.calls.glob("*.wav"))[: args.limit]
    cores = os.cpu_count() or 1
    print(f"{len(files)} calls from {args.calls}, {cores} cores")
    for engine in args.engines.split(","):
        _decode_call((engine, files[0]))  # load the model and warm up before timing
        audio_s = decode_s = 0.0
        for f in files:
            a, d = _decode_call((engine, f))
            audio_s += a
            decode_s += d
        started = time.perf_counter()
        # spawn, not fork: the parent already runs the engines' thread pools, which a fork would deadlock.
        with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("spawn")) as pool:
            call_audio = sum(a / 2 for a, _ in pool.map(_decode_call, [(engine, f) for f in files]))
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{engine:<8} RTF per channel (1 core): {decode_s / audio_s:.3f}   "
            f"throughput ({cores} processes): {call_audio / wall:.1f} call-min/wall-min   "
            f"peak RSS (this process): {peak_mb:.0f} MB"
        )
    if "whisper" in args.engines.split(","):
        without, _, _ = _pipeline_rtf(files, second_opinion=False)
        checks_only, reread, _ = _pipeline_rtf(files, second_opinion=True, remarks=False)
        with_second, _, added = _pipeline_rtf(files, second_opinion=True)
        print(
            f"whole pipeline RTF (wall s per call s, {cores} cores): {without:.3f} without the second "
            f"reading, {checks_only:.3f} with it for greeting/closing ({checks_only / without:.2f}x; "
            f"{reread} windows re-read in {len(files)} calls), {with_second:.3f} with it for remarks too "
            f"({with_second / without:.2f}x; {added} remarks heard only by the second decoding)"
        )


if __name__ == "__main__":
    main()
