"""The `callqa` command line (typer + rich). Each command owns its transaction."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from callqa.cli.complaints import detect_complaints
from callqa.cli.console import err, out
from callqa.cli.console import progress as _progress
from callqa.cli.evaluate import evaluate
from callqa.cli.listen import listen
from callqa.cli.models import eval_sentiment, models_app, train_app
from callqa.cli.pbx import pbx_app
from callqa.cli.pii import eval_pii, pseudonymise_callers, purge, redact
from callqa.cli.rescore import rescore
from callqa.cli.routing import simulate
from callqa.cli.sampling import sample
from callqa.cli.staffing import staff
from callqa.cli.watch import watch
from callqa.cli.worker import worker
from callqa.settings import Settings, get_settings

if TYPE_CHECKING:
    from callqa.pipeline.analyzer import CallResult

app = typer.Typer(help="callqa: offline call-center routing and quality assurance.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
users_app = typer.Typer(help="Login users.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(train_app, name="train")
app.add_typer(models_app, name="models")
app.add_typer(pbx_app, name="pbx")
app.command("eval")(evaluate)
app.command("eval-sentiment")(eval_sentiment)
app.command("simulate")(simulate)
app.command("staff")(staff)
app.command("listen")(listen)
app.command("worker")(worker)
app.command("watch")(watch)
app.command("purge")(purge)
app.command("redact")(redact)
app.command("pseudonymise-callers")(pseudonymise_callers)
app.command("eval-pii")(eval_pii)
app.command("detect-complaints")(detect_complaints)
app.command("sample")(sample)
app.command("rescore")(rescore)


def _settings_with(**overrides: object) -> Settings:
    base = get_settings()
    changed = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=changed) if changed else base


@app.command()
def analyze(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Recordings (WAV/FLAC/MP3/OGG).", exists=False)
    ] = None,
    transcripts: Annotated[
        list[Path] | None,
        typer.Option(
            "--transcript",
            help="A transcript to analyse instead of audio: dev-set turns JSON ({language, turns}) or WebVTT "
            "with <v agent>/<v caller> voices. Repeatable.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file, one per line.")] = False,
    company: Annotated[str | None, typer.Option(help="Company name filled into the script.")] = None,
    agent_name: Annotated[
        str | None,
        typer.Option(help="The agent's name: a recogniser hint and what the self-introduction must name."),
    ] = None,
    agent_number: Annotated[
        str | None,
        typer.Option(help="The agent's work number (工号): what a Chinese self-introduction must give."),
    ] = None,
    agent_channel: Annotated[
        int | None, typer.Option(min=0, max=1, help="Stereo channel of the agent.")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="auto | vosk | whisper")] = None,
) -> None:
    """Transcribe, check and score recordings (or analyse given transcripts) without a database."""
    from callqa.pipeline.transcript_input import TranscriptAnalyzers
    from transcription.exceptions import AudioError, TranscriptFormatError

    settings = _settings_with(engine=engine, company=company)
    analyzers = TranscriptAnalyzers(settings)
    inputs = [(p, False) for p in files or []] + [(p, True) for p in transcripts or []]
    if not inputs:
        raise typer.BadParameter("give recordings, or transcripts with --transcript")
    failures = 0
    with _progress() as progress:
        task = progress.add_task("analyzing", total=len(inputs), status="")
        for path, is_transcript in inputs:
            progress.update(task, status=path.name)
            try:
                if is_transcript:
                    result = analyzers.analyze(
                        path, company=company, agent_name=agent_name, agent_number=agent_number
                    )
                else:
                    result = analyzers.default.analyze_file(
                        path,
                        company=company,
                        agent_name=agent_name,
                        agent_number=agent_number,
                        agent_channel=agent_channel,
                    )
            except (AudioError, TranscriptFormatError, OSError) as exc:
                failures += 1
                if as_json:
                    print(json.dumps({"file": str(path), "error": str(exc)}), flush=True)
                else:
                    err.print(f"[red]{path}: {exc}[/red]")
                progress.advance(task)
                continue
            if as_json:
                print(json.dumps(result.to_contract(), ensure_ascii=False), flush=True)
            else:
                _print_result(result)
            progress.advance(task)
    if failures:
        raise typer.Exit(code=1)


def _print_result(result: CallResult) -> None:
    analysis = result.analysis
    table = Table(
        title=f"{result.file}  ({result.transcript.duration_s:.3f} s)  score {round(result.score.total, 2)}"
    )
    table.add_column("check")
    table.add_column("result")
    for name, check in analysis.checks.items():
        table.add_row(name, "PASS" if check.passed else f"FAIL {check.missing}")
    table.add_row("violations", ", ".join(v.category for v in analysis.violations) or "none")
    table.add_row("empathy", str(analysis.has_empathy))
    table.add_row("dead air", str(len(analysis.dead_air)))
    caller = analysis.sentiment.get("caller")
    table.add_row("caller sentiment (end)", str(caller.end if caller else None))
    out.print(table)


@app.command()
def transcribe(
    path: Annotated[Path, typer.Argument(help="A recording or a folder of recordings.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for <name>.transcript.json files.")] = Path(
        "transcripts"
    ),
    workers: Annotated[int | None, typer.Option(help="Processes; default: all cores.")] = None,
) -> None:
    """Transcribe many recordings in parallel (resumable: existing transcripts are skipped)."""
    from callqa.pipeline.batch import find_recordings, transcribe_all
    from transcription.audio import AUDIO_SUFFIXES

    recordings = find_recordings(path)
    if not recordings:
        err.print(f"[red]no recordings ({' '.join(sorted(AUDIO_SUFFIXES))}) under {path}[/red]")
        raise typer.Exit(1)
    started = time.perf_counter()
    audio_s = decode_s = 0.0
    done = failed = skipped = 0
    with _progress() as progress:
        task = progress.add_task("transcribing", total=len(recordings), status="")
        for item in transcribe_all(recordings, out_dir, get_settings(), workers=workers):
            if item.skipped:
                skipped += 1
            elif item.error:
                failed += 1
                err.print(f"[red]{item.error}[/red]")
            else:
                done += 1
                audio_s += item.audio_s
                decode_s += item.decode_s
            elapsed_min = (time.perf_counter() - started) / 60
            rtf = decode_s / audio_s if audio_s else 0.0
            progress.update(
                task, advance=1, status=f"{done / elapsed_min:.1f} calls/min, RTF {rtf:.3f}" if done else ""
            )
    wall = time.perf_counter() - started
    out.print(
        f"{done} transcribed, {skipped} already done, {failed} failed; "
        f"{audio_s / 60:.1f} call-min in {wall / 60:.2f} wall-min -> {out_dir}"
    )
    if failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A recording or a folder of recordings.")],
    agent: Annotated[int, typer.Option("--agent", help="Agent id who handled the call(s).")],
    caller: Annotated[str | None, typer.Option(help="Caller number.")] = None,
) -> None:
    """Store recordings as calls and queue them for processing (a bad file is reported, others go on)."""
    from callqa.runtime import open_database
    from callqa.services.ingest import IngestError, ingest_recording
    from models import session_scope
    from transcription.audio import AUDIO_SUFFIXES
    from transcription.exceptions import AudioError

    settings = get_settings()
    factory = open_database(settings)
    files = (
        sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES) if path.is_dir() else [path]
    )
    failed = 0
    for file in files:
        try:
            with session_scope(factory) as session:
                call = ingest_recording(
                    session,
                    source=file,
                    recordings_dir=settings.recordings_dir,
                    agent_id=agent,
                    original_filename=file.name,
                    caller_number=caller,
                    caller_key=settings.caller_number_key,
                    default_language=settings.language,
                    max_duration_s=settings.max_duration_s,
                )
                out.print(f"{file}: call {call.id} queued")
        except (IngestError, AudioError, OSError) as exc:
            failed += 1
            err.print(f"[red]{file}: {exc}[/red]")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    worker_: Annotated[bool, typer.Option("--worker/--no-worker", help="Run the embedded worker.")] = True,
) -> None:
    """Serve the API and pages (with an embedded background worker unless --no-worker)."""

    import uvicorn

    if not worker_:
        os.environ["CALLQA_EMBEDDED_WORKER"] = "false"
        get_settings.cache_clear()
    from models.sealed import KeyNeededError

    try:
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            proxy_headers=True,
            forwarded_allow_ips=get_settings().trusted_proxies,
        )
    except KeyNeededError as exc:  # stored secrets this server cannot open: say which setting, not a trace
        err.print(f"[red]not starting: {exc}[/red]")
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply database migrations (creates the SQLite file if needed)."""
    from models.migrate import upgrade_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.db_url, revision, webhook_secret_key=settings.webhook_secret_key)
    out.print(f"database at {revision}: {settings.db_url}")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="agent | qa | supervisor | admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    agent: Annotated[int | None, typer.Option(help="Agent id (role agent).")] = None,
    team: Annotated[int | None, typer.Option(help="Team id the supervisor leads (role supervisor).")] = None,
) -> None:
    """Create a login user."""
    from callqa.runtime import open_database
    from callqa.services.users import create_user
    from models import session_scope

    factory = open_database(get_settings())
    with session_scope(factory) as session:
        user = create_user(
            session, username=username, password=password, role=role, agent_id=agent, team_id=team
        )
        out.print(f"user {user.username} ({user.role}) created")


@app.command("demo-data")
def demo_data(
    calls: Annotated[int, typer.Option(help="How many demo calls to render.")] = 7,
    process: Annotated[bool, typer.Option(help="Run the pipeline on them now.")] = True,
) -> None:
    """Create demo agents, users and calls rendered from text with espeak-ng, then process them."""
    from callqa.runtime import open_database
    from callqa.services.demo import create_demo_data
    from callqa.services.jobs import queued_count
    from callqa.services.processing import make_worker

    settings = get_settings()
    factory = open_database(settings)
    logins = create_demo_data(settings, factory, n_calls=calls, console=err)
    if process:
        w = make_worker(settings, factory)
        with factory() as session:
            waiting = queued_count(session)
        with _progress() as progress:
            task = progress.add_task("processing demo calls", total=waiting, status="")
            while w.run_once():
                progress.advance(task)
    table = Table(title="demo logins")
    for col in ("username", "password", "role"):
        table.add_column(col)
    for row in logins:
        table.add_row(*row)
    out.print(table)


def main() -> None:  # pragma: no cover - console entry
    app(prog_name="callqa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
