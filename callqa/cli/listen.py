"""`callqa listen`: live transcript and a live greeting/closing checklist for the agent (agent assist),
from a microphone (PyAudio) or a recording played at real time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from callqa.cli.console import err, out
from callqa.settings import get_settings
from qa.checks import CheckResult, run_checks
from qa.script import Script
from transcription.recognizer import Segment, Transcript


def _checklist(results: dict[str, CheckResult]) -> Table:
    table = Table("check", "element", "", title="script checklist")
    for name in ("greeting", "closing"):
        if name in results:
            for element in results[name].elements:
                table.add_row(name, element.name, "[green]✓[/green]" if element.found else "[red]✗[/red]")
    return table


def _render(finals: list[Segment], partial: str, results: dict[str, CheckResult]) -> Group:
    lines = [Text(f"[{s.start:6.1f}s] {s.text}") for s in finals[-12:]]
    if partial:
        lines.append(Text(f"          {partial} …", style="dim"))
    return Group(*lines, _checklist(results))


def _check(finals: list[Segment], script: Script) -> dict[str, CheckResult]:
    end = finals[-1].end if finals else 0.0
    return run_checks(Transcript(tuple(finals), end), script)


def listen(
    file: Annotated[
        Path | None, typer.Option(help="Play this recording at real time instead of a mic.")
    ] = None,
    device: Annotated[
        int | None, typer.Option(help="PyAudio input device index (see --list-devices).")
    ] = None,
    company: Annotated[str | None, typer.Option(help="Company name for the script.")] = None,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long (microphone).")] = None,
    realtime: Annotated[bool, typer.Option(help="Pace --file like a live call.")] = True,
    list_devices: Annotated[
        bool, typer.Option("--list-devices", help="Show input devices and exit.")
    ] = False,
) -> None:
    """Live transcript of the agent's speech with the greeting/closing checklist filling in."""
    from callqa.pipeline.analyzer import CallAnalyzer
    from transcription.exceptions import AudioError
    from transcription.sources import file_chunks, input_devices, microphone_chunks
    from transcription.streaming import open_stream

    try:
        if list_devices:
            for index, name, rate in input_devices():
                out.print(f"{index}: {name} ({rate} Hz)")
            return
        settings = get_settings()
        analyzer = CallAnalyzer(settings)
        script = analyzer.script_for(company)
        if file is not None:
            rate, chunks = file_chunks(file, realtime=realtime)
        else:
            rate, chunks = 16000, microphone_chunks(device=device, sample_rate=16000, seconds=seconds)
        stream = open_stream(analyzer.recognizer, rate, hints=(company,) if company else ())
        finals: list[Segment] = []
        partial = ""
        results = _check(finals, script)
        with Live(
            _render(finals, partial, results), console=out, refresh_per_second=4, transient=True
        ) as live:
            for chunk in chunks:
                events = stream.accept(chunk)
                for event in events:
                    if event.kind == "final":
                        finals.append(Segment("agent", event.start, event.end, event.text, event.words))
                        partial = ""
                        results = _check(finals, script)
                    else:
                        partial = event.text
                if events:
                    live.update(_render(finals, partial, results))
            for event in stream.finish():
                finals.append(Segment("agent", event.start, event.end, event.text, event.words))
            results = _check(finals, script)
    except AudioError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for seg in finals:
        out.print(f"[{seg.start:6.1f}s] {seg.text}")
    out.print(_checklist(results))
    for name in ("greeting", "closing"):
        if name in results:
            out.print(f"{name}: {'PASS' if results[name].passed else 'FAIL'} ({results[name].reason})")
