"""`callqa rescore`: score stored calls again without ASR. `--since` re-runs QA and scoring on the stored
transcripts (after a script change), with each call's recording where this machine can read it (audio cues
and second readings as in the worker; what could not be heard again is listed per call);
`--scorecard-version N` moves the calls scored with version N of a scorecard to its active version from
their stored verdicts, keeping each score before in the call's history (scoring.rescore)."""

from __future__ import annotations

from typing import Annotated

import typer

from callqa.cli.console import err, out, since_date
from callqa.cli.console import progress as _progress
from callqa.settings import get_settings


def rescore(
    since: Annotated[
        str | None,
        typer.Option(
            help="Re-run QA and scoring on the stored transcripts of calls started on or after this date "
            "(YYYY-MM-DD), with each call's recording where it can be read (second readings); the checks "
            "of calls without one are listed as not re-verified."
        ),
    ] = None,
    scorecard_version: Annotated[
        str | None,
        typer.Option(
            "--scorecard-version",
            help="Score the calls scored with this version again, on the active version, from their stored "
            "verdicts (QA is not re-run; the score before stays in each call's history).",
        ),
    ] = None,
    scorecard: Annotated[
        str | None,
        typer.Option(help="With --scorecard-version: the scorecard id (default: the deployment language's)."),
    ] = None,
) -> None:
    """Re-run QA and scoring on stored transcripts (after a script change: --since), or move the calls
    scored with one scorecard version to the active version (--scorecard-version); no ASR."""
    if (since is None) == (scorecard_version is None):
        err.print("[red]give either --since or --scorecard-version[/red]")
        raise typer.Exit(2)
    if scorecard_version is not None:
        _rescore_version(scorecard_version, scorecard)
        return
    assert since is not None
    _requalify_since(since)


def _rescore_version(version: str, scorecard_id: str | None) -> None:
    from callqa.runtime import open_database
    from callqa.services.processing import flag_severity
    from models import Call, session_scope
    from scoring.rescore import calls_scored_with, rescore_call_on
    from scoring.scorecard import load_scorecard
    from scoring.versions import active_card, current_scorecard

    settings = get_settings()
    factory = open_database(settings)
    from_file = load_scorecard(settings.scorecard_path, settings.language)
    card_id = scorecard_id or from_file.id
    with session_scope(factory) as session:
        if card_id == from_file.id:
            current_scorecard(session, from_file)  # stores the file's card when no version is
        active = active_card(session, card_id)
        if active is None:
            err.print(f"[red]no scorecard {card_id!r} is stored[/red]")
            raise typer.Exit(2)
        ids = calls_scored_with(session, card_id, version)
    if version == active.version:
        out.print(f"version {version} of {card_id} is the active one: nothing to re-score")
        return
    changed = 0
    with _progress() as progress:
        task = progress.add_task(f"re-scoring on version {active.version}", total=len(ids), status="")
        for call_id in ids:  # one transaction per call: an interrupted run leaves every call whole
            with session_scope(factory) as session:
                call = session.get(Call, call_id)
                done = None
                if call is not None:
                    done = rescore_call_on(
                        session,
                        call,
                        active,
                        weights=flag_severity(settings),
                        actor_id=None,
                        reason=f"callqa rescore --scorecard-version {version}",
                    )
                changed += done is not None and done.before != done.after
            progress.advance(task)
    out.print(
        f"re-scored {len(ids)} calls of {card_id} version {version} on version {active.version}, "
        f"{changed} changed score"
    )


def _requalify_since(since: str) -> None:
    from sqlalchemy import select

    from callqa.pipeline.analyzers import AnalyzersByLanguage
    from callqa.runtime import open_database
    from callqa.services.processing import rescore_call
    from models import Call, CallScore, session_scope

    start = since_date(since)
    settings = get_settings()
    analyzers = AnalyzersByLanguage(settings)
    factory = open_database(settings)
    with factory() as session:
        ids = session.scalars(
            select(Call.id).join(CallScore, CallScore.call_id == Call.id).where(Call.started_at >= start)
        ).all()
    changed = with_audio = 0
    skipped: list[int] = []
    unverified: dict[int, tuple[str, ...]] = {}
    with _progress() as progress:
        task = progress.add_task("re-scoring", total=len(ids), status="")
        for call_id in ids:  # one transaction per call: an interrupted run leaves every call whole
            progress.advance(task)
            with session_scope(factory) as session:
                call = session.get(Call, call_id)
                if call is None:
                    continue
                old = call.score.total if call.score else None
                try:
                    done = rescore_call(session, call, analyzers.for_language(call.language))
                except LookupError:
                    skipped.append(call_id)
                    continue
                changed += old != done.total
                with_audio += done.with_audio
                if done.unverified:
                    unverified[call_id] = done.unverified
    for call_id, checks in unverified.items():
        out.print(f"call {call_id}: {', '.join(checks)} not re-verified (its recording is not readable here)")
    out.print(
        f"re-scored {len(ids) - len(skipped)} calls since {start.date()}, {changed} changed score; "
        f"{with_audio} with their recording (second readings where in doubt), "
        f"{len(ids) - len(skipped) - with_audio} from the transcript alone, "
        f"{len(unverified)} with verdicts a second reading could not re-verify"
    )
    if skipped:
        out.print(f"skipped {len(skipped)} calls whose transcript is gone (purged): {_ids(skipped)}")


def _ids(ids: list[int], shown: int = 20) -> str:
    """Call ids for a message, the first `shown` of them."""
    head = ", ".join(map(str, ids[:shown]))
    return head if len(ids) <= shown else f"{head}, … ({len(ids) - shown} more)"
