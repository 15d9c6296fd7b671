"""`callqa purge` (retention), `callqa redact` (stored calls redacted again by the current redactor),
`callqa pseudonymise-callers` (caller numbers stored before they were pseudonymised) and `callqa eval-pii`
(redaction measured on labelled calls)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from callqa.cli.console import err, out, since_date
from callqa.settings import get_settings


def purge(
    older_than: Annotated[
        float, typer.Option("--older-than", min=0, help="Days: calls that started earlier lose their data.")
    ],
) -> None:
    """Delete the recordings, transcripts and kept originals of calls older than DAYS, and the live wall
    alerts raised before then; scores, verdicts and aggregates stay, and the purge is recorded in the audit
    log."""
    from callqa.runtime import open_database
    from callqa.services.retention import purge_older_than
    from models import session_scope, utcnow

    settings = get_settings()
    with session_scope(open_database(settings)) as session:
        report = purge_older_than(
            session, days=older_than, now=utcnow(), recordings_dir=settings.recordings_dir
        )
    out.print(report.summary())


def redact(
    since: Annotated[
        str, typer.Option(help="Calls started on or after this date (YYYY-MM-DD) are redacted again.")
    ],
) -> None:
    """Redact stored calls again with the current redactor (after it improved): what it finds leaves the
    transcript, the recording, the verdicts' evidence, the complaint evidence and the evidence of live
    alerts raised since the date; scores stay (`callqa
    rescore` re-judges). One call per transaction, each recorded in the audit log; safe to interrupt and to
    run again (what is redacted is not found twice)."""
    from sqlalchemy import select

    from callqa.pipeline.analyzers import AnalyzersByLanguage
    from callqa.runtime import open_database
    from callqa.services.reredaction import redact_stored_alerts, redact_stored_call
    from models import Call, session_scope

    start = since_date(since)
    settings = get_settings()
    if settings.pii_policy == "off":
        err.print("CALLQA_PII_POLICY is 'off': nothing would be redacted")
        raise typer.Exit(2)
    analyzers = AnalyzersByLanguage(settings)
    factory = open_database(settings)
    with factory() as session:
        ids = session.scalars(
            select(Call.id).where(Call.started_at >= start, Call.segments.any()).order_by(Call.id).distinct()
        ).all()
    calls = spans = silenced = 0
    for call_id in ids:
        with session_scope(factory) as session:
            call = session.get(Call, call_id)
            if call is None:
                continue
            # a call purged meanwhile has no transcript left: nothing is found in it
            done = redact_stored_call(session, call, analyzers.for_language(call.language))
        calls += done.spans > 0
        spans += done.spans
        silenced += done.audio
    # each redactor once: a language without a script of its own is judged by the default language's analyzer
    languages = sorted({settings.language, *settings.company_by_language})
    redactors = list(dict.fromkeys(analyzers.for_language(lang) for lang in languages))
    with session_scope(factory) as session:
        alerts = redact_stored_alerts(session, start, redactors)
    out.print(
        f"redacted {spans} new span(s) in {calls} of {len(ids)} call(s) since {start.date()}; "
        f"{silenced} recording(s) silenced; {alerts} live alert(s)' evidence redacted"
    )


def pseudonymise_callers(
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Calls converted and committed per transaction.")
    ] = 500,
) -> None:
    """Replace the plain caller numbers of calls stored before CALLQA_CALLER_NUMBER_KEY existed by their
    keyed pseudonyms (the ones new calls get), in batches each committed with its audit record. Safe to
    interrupt and to run again: it converts only what is still plain."""
    from callqa.runtime import open_database
    from callqa.services.pii_caller import pseudonymise_stored_numbers
    from models import session_scope

    settings = get_settings()
    if not settings.caller_number_key:
        err.print("CALLQA_CALLER_NUMBER_KEY is not set: set the key new calls use, then run this again")
        raise typer.Exit(2)
    factory = open_database(settings)
    converted = cleared = batches = 0
    while True:
        with session_scope(factory) as session:
            batch = pseudonymise_stored_numbers(
                session, key=settings.caller_number_key, batch_size=batch_size
            )
        if not batch.size:
            break
        batches += 1
        converted += len(batch.converted)
        cleared += len(batch.cleared)
        err.print(f"batch {batches}: {batch.size} call(s), up to call {max(batch.converted + batch.cleared)}")
    out.print(
        f"pseudonymised {converted} caller number(s) in {batches} batch(es); "
        f"cleared {cleared} without a digit"
    )


def eval_pii(
    directory: Annotated[Path, typer.Argument(help="Folder of <id>.wav + <id>.json with `pii` labels.")],
    transcripts: Annotated[
        Path | None, typer.Option(help="Keep/reuse each call's first decoding here (tuning re-decodes less).")
    ] = None,
    audio: Annotated[
        bool, typer.Option(help="Decode the redacted audio (--no-audio: transcript figures only, fast).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
) -> None:
    """Redaction against labelled calls (`python -m bench.pii_calls` writes a set): per entity type recall
    (caught only if none of its digits survive in the stored transcript) and precision, entity digits a
    recogniser still hears in the redacted audio, and the time redaction adds per call-minute."""
    from callqa.pipeline.analyzer import CallAnalyzer
    from callqa.pipeline.pii_eval import evaluate_pii, format_pii_report

    if not any(directory.glob("*.json")):
        err.print(f"no labelled calls (<id>.wav + <id>.json) in {directory}")
        raise typer.Exit(2)
    settings = get_settings()
    if settings.pii_policy == "off":
        err.print("CALLQA_PII_POLICY is 'off': nothing would be redacted")
        raise typer.Exit(2)
    report = evaluate_pii(CallAnalyzer(settings), directory, transcripts=transcripts, audio=audio)
    figures = report.figures()
    text = json.dumps(figures) if as_json else format_pii_report(figures)
    out.print(text, markup=False, highlight=False, soft_wrap=True)
