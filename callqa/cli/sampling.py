"""`callqa sample`: draw every active sampling plan now (scoring.sampling), e.g. for a past period (`--at`).

Workers already draw every CALLQA_SAMPLING_DRAW_EVERY_S seconds. Run it as often as you like: each draw only
tops each agent up to the plan's N for the period, so repeated runs add the calls that arrived since and
never more."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Annotated

import typer

from callqa.cli.console import err, out
from callqa.settings import get_settings


def sample(
    at: Annotated[
        str | None,
        typer.Option(help="Draw the periods holding this moment (ISO date or time, UTC), e.g. last week's."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: fresh randomness).")] = None,
) -> None:
    """Draw every active sampling plan into the review queue for the current period."""
    from callqa.runtime import open_database
    from models import session_scope
    from scoring.sampling import draw_active_plans

    try:
        moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError as exc:
        raise typer.BadParameter(f"{at!r} is not an ISO date or time", param_hint="--at") from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    with session_scope(open_database(get_settings())) as session:
        draws = draw_active_plans(session, moment=moment, rng=random.Random(seed))
    for d in draws:
        if d.error:
            err.print(f"plan {d.plan_id}: {d.error}")
        else:
            out.print(f"{d.plan_name}: {d.drawn} calls drawn")
    if any(d.error for d in draws):
        raise typer.Exit(1)
