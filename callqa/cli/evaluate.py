"""`callqa eval`: verdicts measured against labelled calls (the dev-set format), from audio, from saved
analyses (re-judged with `--requalify`) or from the reference turns."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from callqa.cli.console import err
from callqa.cli.console import progress as _progress
from callqa.settings import Settings, get_settings


def evaluate(
    directory: Annotated[Path, typer.Argument(help="Folder of <id>.wav + <id>.json in the dev-set format.")],
    results: Annotated[
        Path | None, typer.Option(help="Reuse `analyze --json` output (JSONL) instead of re-analyzing.")
    ] = None,
    save: Annotated[Path | None, typer.Option(help="Write the analyze output (JSONL) here.")] = None,
    requalify: Annotated[
        bool,
        typer.Option(help="With --results: re-run QA, second readings and scoring on its transcripts."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
    from_transcripts: Annotated[
        bool,
        typer.Option(
            "--from-transcripts",
            help="Analyse each call's reference turns instead of its audio: QA measured apart from "
            "speech recognition (calls need no .wav).",
        ),
    ] = False,
    second_opinion_cache: Annotated[
        Path | None,
        typer.Option(
            help="Keep the second model's decodes in this folder and reuse them: judging the same saved "
            "decodes again (--results --requalify) then decodes nothing twice, with the same verdicts."
        ),
    ] = None,
) -> None:
    """Verdicts against labelled calls: P/R/F1, accuracy of certain verdicts, UNCERTAIN share, coverage,
    reliability per stated confidence, word error rate per leg, and the misses. The company, the
    agent's name and work number come from each call's labels, as the worker knows them in production;
    each call is judged by the script of its language."""
    from callqa.cli.eval_report import format_report, report_figures
    from callqa.pipeline.evaluation import evaluate_calls

    settings = get_settings()
    if second_opinion_cache is not None:
        settings = settings.model_copy(update={"second_opinion_cache": second_opinion_cache})
    # A report of nothing reads as perfect (P = R = 1.000 on 0 calls): refuse it instead.
    if not directory.is_dir() or not any(directory.glob("*.json")):
        err.print(f"[red]{directory}: no labelled calls (<id>.json in the dev-set format) there[/red]")
        raise typer.Exit(code=2)
    analyses: dict[str, dict[str, object]] = {}
    if results is not None:
        for line in results.read_text().splitlines():
            row = json.loads(line)
            analyses[Path(row["file"]).stem] = row
        if requalify:
            analyses = _requalify(directory, analyses, settings)
    else:
        from callqa.pipeline.transcript_input import TranscriptAnalyzers
        from transcription.reference import read_transcript

        analyzers = TranscriptAnalyzers(settings)
        calls = sorted(
            p for p in directory.glob("*.json") if from_transcripts or p.with_suffix(".wav").is_file()
        )
        # Each analysis is written as soon as it is made: a set takes many minutes of decoding, and an
        # interrupted run keeps what it did (and shows how far it got).
        if save is not None:
            save.parent.mkdir(parents=True, exist_ok=True)
        with _progress() as progress, save.open("w") if save is not None else nullcontext() as sink:
            task = progress.add_task("evaluating", total=len(calls), status="")
            for reference in calls:
                progress.update(task, status=reference.stem)
                data = json.loads(reference.read_text(encoding="utf-8"))
                who = _who(data["labels"])
                if from_transcripts:
                    transcript = read_transcript(reference, language=settings.language)
                    res = analyzers.analyze_transcript(transcript, str(reference), **who)
                else:
                    analyzer = analyzers.for_language(data.get("language") or settings.language)
                    res = analyzer.analyze_file(reference.with_suffix(".wav"), **who)
                analyses[reference.stem] = res.to_contract()
                if sink is not None:
                    sink.write(json.dumps(analyses[reference.stem]) + "\n")
                    sink.flush()
                progress.advance(task)
    if save is not None and results is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_text("".join(json.dumps(a) + "\n" for a in analyses.values()))
    report = evaluate_calls(directory, analyses)
    if as_json:
        print(json.dumps(report_figures(report)), flush=True)
    else:
        print(format_report(report), flush=True)


def _who(labels: dict[str, Any]) -> dict[str, Any]:
    """Who took a labelled call, as the worker would know it: company, agent's name and work number."""
    return {
        "company": labels.get("company"),
        "agent_name": labels.get("agent_name"),
        "agent_number": None if labels.get("agent_number") is None else str(labels["agent_number"]),
    }


def _requalify(
    directory: Path, analyses: dict[str, dict[str, Any]], settings: Settings
) -> dict[str, dict[str, Any]]:
    """QA, second readings and scoring again on the saved transcripts (no first decoding); on the
    transcript alone (no audio cues, no second reading) where the recording is gone."""
    from callqa.pipeline.analyzer import CallResult, transcript_from_contract
    from callqa.pipeline.transcript_input import TranscriptAnalyzers

    analyzers = TranscriptAnalyzers(settings)
    fresh = {}
    with _progress() as progress:
        task = progress.add_task("judging", total=len(analyses), status="")
        for stem, row in analyses.items():
            progress.update(task, status=stem)
            data = json.loads((directory / f"{stem}.json").read_text(encoding="utf-8"))
            analyzer = analyzers.for_language(data.get("language") or settings.language)
            transcript = transcript_from_contract(row)
            who = _who(data["labels"])
            wav = directory / f"{stem}.wav"
            if wav.is_file():
                result = analyzer.analyze_file(wav, transcript=transcript, **who)
            else:
                analysis, score, script = analyzer.analyze_transcript(transcript, **who)
                result = CallResult(row["file"], transcript, analysis, score, script)
            fresh[stem] = result.to_contract()
            progress.advance(task)
    return fresh
