"""The CLI's consoles: results to stdout, progress and errors to stderr (so `--json` output stays clean);
and the reader of a `--since` date that commands share."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

err = Console(stderr=True)
out = Console()


LOG_EVERY_S = 30.0
"""Seconds between the plain progress lines written where stderr is not a terminal."""


class LoggedProgress(Progress):
    """A rich progress bar that, where its console is not a terminal (a log file, a pipe, a CI job), also
    writes a plain line ("decoding 12/40 status") at most every `every_s` seconds and when a task ends:
    rich draws nothing there until the bar stops, so an hour-long run otherwise looks hung."""

    def __init__(self, *columns: Any, every_s: float = LOG_EVERY_S, **kwargs: Any) -> None:
        super().__init__(*columns, **kwargs)
        self._every_s = every_s
        self._logged_at: float | None = None

    def update(
        self,
        task_id: TaskID,
        *,
        total: float | None = None,
        completed: float | None = None,
        advance: float | None = None,
        description: str | None = None,
        visible: bool | None = None,
        refresh: bool = False,
        **fields: Any,
    ) -> None:
        super().update(
            task_id,
            total=total,
            completed=completed,
            advance=advance,
            description=description,
            visible=visible,
            refresh=refresh,
            **fields,
        )
        self._log(task_id)

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._log(task_id)

    def _log(self, task_id: TaskID) -> None:
        if self.console.is_terminal:
            return
        task = next(t for t in self.tasks if t.id == task_id)
        now = time.monotonic()
        due = self._logged_at is None or now - self._logged_at >= self._every_s
        if not (due or task.finished):
            return
        self._logged_at = now
        total = f"/{task.total:.0f}" if task.total is not None else ""
        status = task.fields.get("status", "")
        self.console.print(
            f"{task.description} {task.completed:.0f}{total} {status}".rstrip(), highlight=False
        )


def progress(*, every_s: float = LOG_EVERY_S) -> Progress:
    """A progress bar with a count, elapsed time and a free-text `status` field (plain lines every
    `every_s` seconds where stderr is not a terminal)."""
    return LoggedProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=err,
        transient=False,
        every_s=every_s,
    )


def since_date(since: str) -> datetime:
    """`since` (YYYY-MM-DD, or an ISO time) as a UTC datetime; a clear error and exit code 2 otherwise."""
    try:
        return datetime.fromisoformat(since).replace(tzinfo=UTC)
    except ValueError as exc:
        err.print(f"[red]--since {since!r} is not a date (YYYY-MM-DD)[/red]")
        raise typer.Exit(2) from exc
