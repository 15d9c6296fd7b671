"""`callqa detect-complaints`: store complaint readings for calls analysed before they were stored per call,
or read with cue lists edited since (new calls are read when they are analysed)."""

from __future__ import annotations

from typing import Annotated

import typer

from callqa.cli.console import out


def detect_complaints(
    everything: Annotated[
        bool, typer.Option("--all", help="Read every transcribed call again, not only unread or stale ones.")
    ] = False,
) -> None:
    """Read transcribed calls for caller complaints and store the result per call (the complaint-rate KPI
    counts the stored readings). Commits every 500 calls; safe to stop and run again."""
    from callqa.runtime import open_database
    from callqa.services.complaints import read_unread
    from callqa.settings import get_settings

    factory = open_database(get_settings())
    after: int | None = 0
    total = 0
    while after is not None:
        with factory() as session:
            after, read = read_unread(session, everything=everything, after_id=after)
            session.commit()
        total += read
    out.print(f"read {total} calls for complaints")
