"""The hotline offers ready callbacks to free agents like calls (blended outbound).

Run by the server's ticker. A callback is offered only while no caller waits and an agent is free, one
per free agent: a callback never takes an agent from a caller on the line. It enters the hotline as a
call marked as a callback (priority 1 once overdue, so it goes before later arrivals), and the agent it
reaches calls the customer; the outcome is recorded through the callbacks API
(`routing.callbacks.record_attempt`). What is ready is `routing.callbacks.ready_to_offer`.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineNotLeaderError, HotlineRefusedError
from routing import callbacks

log = logging.getLogger("callqa.services.callbacks")

_OFFERING = threading.Lock()
"""One offering round at a time in a process: two rounds reading the same ready callback before either
recorded its offer would offer it twice (an app served twice, e.g. by a test client and uvicorn, runs two
offering threads on one hotline)."""

OVERDUE_PRIORITY = 1
"""Routing priority of an overdue callback (callers' default is 0; higher is served first)."""


def offer_ready_callbacks(
    hotline: Hotline, factory: sessionmaker[Session], *, retry_after_s: float, now: datetime | None = None
) -> int:
    """Offer ready callbacks to the hotline, at most one per free agent and none while a caller waits;
    returns how many were offered. A server that does not own the hotline offers nothing, nor does a
    call while another round is under way."""
    if not _OFFERING.acquire(blocking=False):
        return 0
    try:
        return _offer_round(hotline, factory, retry_after_s=retry_after_s, now=now or datetime.now(UTC))
    finally:
        _OFFERING.release()


def _offer_round(
    hotline: Hotline, factory: sessionmaker[Session], *, retry_after_s: float, now: datetime
) -> int:
    try:
        stats = hotline.stats()
    except HotlineNotLeaderError:
        return 0
    free = stats.agents.get("available", 0)
    if stats.waiting or not free:
        return 0
    with factory() as session:
        ready = callbacks.ready_to_offer(session, now=now, retry_after=timedelta(seconds=retry_after_s))
        chosen = [(c.id, c.number, dict(c.skills), c.language, c.due_at < now) for c in ready[:free]]
    offered = 0
    for callback_id, number, skills, language, overdue in chosen:
        try:
            view = hotline.call_arrived(
                number,
                skills=skills,
                language=language,
                priority=OVERDUE_PRIORITY if overdue else 0,
                callback_number=number,
            )
        except HotlineRefusedError as exc:
            log.warning("callback %s cannot be offered: %s", callback_id, exc)
            continue
        with factory() as session:
            row = callbacks.get_callback(session, callback_id)
            callbacks.mark_offered(session, row, hotline_call_id=view.call_id, now=now)
            session.commit()
        offered += 1
    return offered


OFFER_EVERY_S = 2.0
"""Seconds between two looks for ready callbacks (the server's offering thread)."""


def offer_callbacks_forever(
    hotline: Hotline, factory: sessionmaker[Session], *, retry_after_s: float, stop: threading.Event
) -> None:
    """The server's offering thread: `offer_ready_callbacks` every OFFER_EVERY_S until `stop`."""
    while not stop.wait(OFFER_EVERY_S):
        try:
            offer_ready_callbacks(hotline, factory, retry_after_s=retry_after_s)
        except Exception:  # retried at the next look; the hotline rebuilt itself from the database
            log.exception("offering callbacks failed")
