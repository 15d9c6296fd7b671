"""Parallel batch transcription of a folder: one process per core, each loading the model once;
resumable (a recording whose transcript file exists is skipped); a bad file is reported, not fatal."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callqa.settings import Settings
from transcription.audio import AUDIO_SUFFIXES

_ANALYZER: Any = None


@dataclass(frozen=True)
class BatchItem:
    """One recording's outcome: audio seconds, decode seconds (wall, in its process), error if any."""

    path: Path
    audio_s: float
    decode_s: float
    error: str | None = None
    skipped: bool = False


def transcript_path(out_dir: Path, recording: Path) -> Path:
    return out_dir / f"{recording.stem}.transcript.json"


def find_recordings(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def _init(settings: Settings) -> None:
    global _ANALYZER
    from callqa.pipeline.analyzer import CallAnalyzer

    _ANALYZER = CallAnalyzer(settings)
    _ANALYZER.recognizer  # noqa: B018 - load the model once per process, before the first file


def _transcribe(recording: Path, out_file: Path) -> BatchItem:
    from callqa.pipeline.analyzer import transcript_view
    from transcription.exceptions import AudioError

    started = time.perf_counter()
    try:
        transcript = _ANALYZER.transcribe(recording, phrases=_ANALYZER.script_for(None).literal_phrases())
    except AudioError as exc:
        return BatchItem(recording, 0.0, time.perf_counter() - started, error=str(exc))
    spent = time.perf_counter() - started
    data = {
        "file": str(recording),
        "duration_s": round(transcript.duration_s, 3),
        "engine": transcript.engine,
        "transcript": transcript_view(transcript),
    }
    tmp = out_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False))
    tmp.replace(out_file)  # atomic: an interrupted run never leaves a half-written transcript
    return BatchItem(recording, transcript.duration_s, spent)


def transcribe_all(
    recordings: list[Path],
    out_dir: Path,
    settings: Settings,
    *,
    workers: int | None = None,
    on_item: Callable[[BatchItem], None] | None = None,
) -> Iterator[BatchItem]:
    """Transcribe `recordings` into `out_dir` with `workers` processes (default: all cores)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = []
    for rec in recordings:
        if transcript_path(out_dir, rec).is_file():
            yield BatchItem(rec, 0.0, 0.0, skipped=True)
        else:
            todo.append(rec)
    if not todo:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if workers > 1 and settings.asr_threads == 0:
        # One decoder thread per process: processes already use every core, more threads only contend.
        settings = settings.model_copy(update={"asr_threads": 1})
    # spawn: engines start thread pools, which a forked child would inherit in a broken state.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(settings,)) as pool:
        futures = [pool.submit(_transcribe, rec, transcript_path(out_dir, rec)) for rec in todo]
        for future in as_completed(futures):
            yield future.result()
