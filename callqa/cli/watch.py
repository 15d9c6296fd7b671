"""`callqa watch DIR`: ingest the recordings a PBX finishes in a folder (see `callqa.services.watch`)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from callqa.cli.console import err, out
from callqa.settings import get_settings


def watch(
    folder: Annotated[Path, typer.Argument(help="The folder the PBX records into (MixMonitor).")],
    agent: Annotated[
        int | None, typer.Option("--agent", help="Agent id for recordings whose sidecar names nobody.")
    ] = None,
    once: Annotated[bool, typer.Option(help="One pass over the folder, then exit.")] = False,
    interval_s: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between passes.")] = 2.0,
) -> None:
    """Ingest each finished recording (a JSON sidecar or a .done marker beside it) once, with the agent,
    PBX call id and times its sidecar gives; safe to stop and restart at any moment (SIGTERM, Ctrl-C)."""
    from callqa.runtime import open_database
    from callqa.services.watch import recording_ingester, scan_folder

    if not folder.is_dir():
        err.print(f"[red]{folder}: not a folder[/red]")
        raise typer.Exit(code=2)
    settings = get_settings()
    factory = open_database(settings)
    ingest = recording_ingester(
        recordings_dir=settings.recordings_dir,
        default_agent_id=agent,
        default_language=settings.language,
        max_duration_s=settings.max_duration_s,
        caller_key=settings.caller_number_key,
    )
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    failed = 0
    while not stop.is_set():
        report = scan_folder(factory, folder, ingest=ingest)
        for path, call_id in report.ingested:
            out.print(f"{path.name}: call {call_id} queued")
        for path, call_id in report.already:
            out.print(f"{path.name}: already stored as call {call_id}")
        for path, reason in report.failed:
            err.print(f"[red]{path.name}: {reason}[/red]")
        failed += len(report.failed)
        if once:
            if report.waiting:
                out.print(f"{report.waiting} recording(s) not finished yet")
            break
        stop.wait(interval_s)
    if once and failed:
        raise typer.Exit(code=1)
