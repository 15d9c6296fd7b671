"""The CLI's consoles: results to stdout, progress and errors to stderr (so `--json` output stays clean);
and the reader of a `--since` date that commands share."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err = Console(stderr=True)
out = Console()


def progress() -> Progress:
    """A progress bar with a count, elapsed time and a free-text `status` field."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=err,
        transient=False,
    )


def since_date(since: str) -> datetime:
    """`since` (YYYY-MM-DD, or an ISO time) as a UTC datetime; a clear error and exit code 2 otherwise."""
    try:
        return datetime.fromisoformat(since).replace(tzinfo=UTC)
    except ValueError as exc:
        err.print(f"[red]--since {since!r} is not a date (YYYY-MM-DD)[/red]")
        raise typer.Exit(2) from exc
