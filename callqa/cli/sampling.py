"""`callqa sample`: draw every active sampling plan now (scoring.sampling), for a scheduler.

Run it as often as you like (e.g. hourly from cron or a systemd timer): each draw only tops each agent up to
the plan's N for the current period, so repeated runs add the calls that arrived since and never more."""

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
    from sqlalchemy import select

    from callqa.runtime import open_database
    from models import SamplingPlan, session_scope
    from scoring.exceptions import ReviewStateError
    from scoring.sampling import draw

    try:
        moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError as exc:
        raise typer.BadParameter(f"{at!r} is not an ISO date or time", param_hint="--at") from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    rng = random.Random(seed)
    factory = open_database(get_settings())
    with factory() as session:
        plan_ids = list(
            session.scalars(select(SamplingPlan.id).where(SamplingPlan.active).order_by(SamplingPlan.id))
        )
    failed = 0
    for plan_id in plan_ids:
        # One transaction per plan: a plan whose draw collides with another draw does not undo the others.
        try:
            with session_scope(factory) as session:
                plan = session.get(SamplingPlan, plan_id)
                if plan is None or not plan.active:
                    continue
                drawn = draw(session, plan, moment=moment, rng=rng)
                out.print(f"{plan.name}: {len(drawn)} calls drawn")
        except ReviewStateError as exc:
            failed += 1
            err.print(f"plan {plan_id}: {exc}")
    if failed:
        raise typer.Exit(1)
