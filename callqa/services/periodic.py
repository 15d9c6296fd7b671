"""The workers' periodic work: the daily retention purge (when retention is set) and the sampling plans'
draws. The embedded queue's workers run it from their housekeeping (callqa.services.worker); in broker mode
the reconciler that leads does (callqa.services.reconciler), since Celery's pool processes never do.

Kept apart from callqa.services.processing so that the broker's main process, which runs the reconciler,
does not load the speech pipeline."""

from __future__ import annotations

import logging
import random

from sqlalchemy.orm import Session

from callqa.services.retention import purge_if_due
from callqa.services.worker import PeriodicTask
from callqa.settings import Settings
from models import utcnow
from scoring.sampling import draw_active_plans

log = logging.getLogger("callqa.services.periodic")


def draw_sampling_plans(session: Session) -> None:
    """The worker's periodic draw of every active sampling plan (this period, and the last one's calls
    scored late). Any number of workers may run it at once: the plans' unique slots keep each at its N,
    and a draw that lost a race is topped up at the next run."""
    for d in draw_active_plans(session, moment=utcnow(), rng=random.Random(), previous=True):
        if d.error:
            log.info("sampling plan %s: %s", d.plan_id, d.error)
        elif d.drawn:
            log.info("sampling plan %s: %d call(s) drawn", d.plan_id, d.drawn)


def periodic_tasks(settings: Settings) -> list[tuple[float, PeriodicTask]]:
    """The workers' periodic work, (interval in s, task): the daily retention purge when retention is set,
    and the sampling plans' draws. The embedded queue's workers run it from their housekeeping; in broker
    mode the reconciler that leads does (callqa.services.tasks)."""
    periodic: list[tuple[float, PeriodicTask]] = []
    if settings.retention_days is not None:
        days = settings.retention_days

        def purge_old_calls(session: Session) -> None:
            purge_if_due(session, days=days, now=utcnow(), recordings_dir=settings.recordings_dir)

        periodic.append((settings.retention_check_every_s, purge_old_calls))
    periodic.append((settings.sampling_draw_every_s, draw_sampling_plans))
    return periodic
