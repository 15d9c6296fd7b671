"""`callqa listen`: live agent assist on the command line — both legs' turns as they end, the caller's mood,
the script checklist and suggestions (`qa.assist`), from a recording played at real time or from input
devices (PyAudio)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer

from callqa.cli.console import err, out
from callqa.settings import get_settings
from qa.assist import Update
from transcription.recognizer import FloatArray, Speaker

MIC_RATE = 16000

_MOOD = {"neg": "[red]negative[/red]", "pos": "[green]positive[/green]", "neu": "neutral"}


def _show(update: Update) -> None:
    turn = update.turn
    if turn is not None:
        mood = ""
        if turn.speaker == "caller" and turn.sentiment:
            mood = f"  ({_MOOD[turn.sentiment]}{', [red]agitated[/red]' if turn.agitated else ''})"
        out.print(
            f"[{turn.start:6.1f}s] {turn.speaker:>6}: {turn.text}{mood}", highlight=False, soft_wrap=True
        )
    for s in update.suggestions:
        out.print(
            f"          [bold yellow]» {s.kind}:[/bold yellow] {s.say}  [dim]({s.reason})[/dim]",
            highlight=False,
            soft_wrap=True,
        )
    if turn is not None and turn.speaker == "agent":
        ticked = [f"{e.check}.{e.element}" for e in update.checklist if e.ticked]
        out.print(
            f"          [dim]checklist: {', '.join(ticked) or '—'}[/dim]", highlight=False, soft_wrap=True
        )


def _devices(
    agent: int | None, caller: int | None, seconds: float | None, stereo: bool
) -> Iterator[tuple[Speaker, FloatArray]]:
    from transcription.sources import microphone_chunks

    if stereo:
        for chunk in microphone_chunks(device=agent, sample_rate=MIC_RATE, seconds=seconds, channels=2):
            yield "agent", chunk[:, 0].copy()
            yield "caller", chunk[:, 1].copy()
        return
    agent_chunks = microphone_chunks(device=agent, sample_rate=MIC_RATE, seconds=seconds)
    if caller is None:
        for chunk in agent_chunks:
            yield "agent", chunk
        return
    caller_chunks = microphone_chunks(device=caller, sample_rate=MIC_RATE, seconds=seconds)
    for agent_chunk, caller_chunk in zip(agent_chunks, caller_chunks, strict=False):
        yield "agent", agent_chunk
        yield "caller", caller_chunk


def listen(
    file: Annotated[
        Path | None, typer.Option(help="Play this recording (stereo: agent channel 0) at real time.")
    ] = None,
    device: Annotated[
        int | None, typer.Option(help="PyAudio input device of the agent (see --list-devices).")
    ] = None,
    caller_device: Annotated[
        int | None, typer.Option(help="PyAudio input device carrying the caller's leg.")
    ] = None,
    stereo: Annotated[
        bool, typer.Option(help="The input device carries both legs: the agent left, the caller right.")
    ] = False,
    engine: Annotated[
        str | None, typer.Option(help="Speech recogniser: auto, vosk or whisper (default: settings).")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Call language (en, zh); default: settings.")] = None,
    company: Annotated[str | None, typer.Option(help="Company name for the script.")] = None,
    agent_name: Annotated[
        str | None, typer.Option(help="The agent's name (the greeting must say it).")
    ] = None,
    agent_number: Annotated[str | None, typer.Option(help="The agent's work number (工号).")] = None,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long (devices).")] = None,
    realtime: Annotated[bool, typer.Option(help="Pace --file like a live call.")] = True,
    list_devices: Annotated[
        bool, typer.Option("--list-devices", help="Show input devices and exit.")
    ] = False,
) -> None:
    """Live agent assist: both legs' turns, the caller's mood, the checklist and what to say next."""
    from callqa.pipeline.analyzer import CallAnalyzer
    from callqa.pipeline.live import SerialRecognizer, live_recognizer, open_live_call
    from qa.exceptions import ScriptError
    from transcription.exceptions import AudioError, ModelNotFoundError
    from transcription.sources import call_chunks, input_devices

    if engine is not None and engine not in ("auto", "vosk", "whisper"):
        err.print(
            f"[red]unknown engine {engine!r}: use --engine auto, vosk or whisper[/red]",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    if stereo and caller_device is not None:
        err.print(
            "[red]--stereo reads both legs from one device: leave out --caller-device[/red]", soft_wrap=True
        )
        raise typer.Exit(2)
    call = None
    try:
        if list_devices:
            for index, name, device_rate in input_devices():
                out.print(f"{index}: {name} ({device_rate} Hz)")
            return
        settings = get_settings()
        chosen: dict[str, object] = {"engine": engine, "language": language}
        settings = settings.model_copy(update={k: v for k, v in chosen.items() if v is not None})
        analyzer = CallAnalyzer(settings)
        recognizer = SerialRecognizer(live_recognizer(settings))  # a missing model fails here
        if file is not None:
            rate, chunks = call_chunks(file, realtime=realtime)
        else:
            rate, chunks = MIC_RATE, _devices(device, caller_device, seconds, stereo)
        both = file is not None or caller_device is not None or stereo
        legs: tuple[Speaker, ...] = ("agent", "caller") if both else ("agent",)
        call = open_live_call(
            analyzer,
            recognizer,
            sample_rate=rate,
            agent_name=agent_name,
            agent_number=agent_number,
            company=company,
            legs=legs,
        )
        for leg, chunk in chunks:
            if leg in legs:
                for update in call.feed(leg, chunk):
                    _show(update)
        final = call.finish()
    except (AudioError, ModelNotFoundError, ScriptError) as exc:
        err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        if call is None:
            raise typer.Exit(130) from None
        final = call.finish()
    for update in final:
        _show(update)
    verdicts = final[-1].final or {}
    for name, result in verdicts.items():
        kind: Literal["pass", "fail", "uncertain"] = result.state
        out.print(f"{name}: {kind.upper()} ({result.reason})", highlight=False, soft_wrap=True)
