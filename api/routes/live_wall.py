"""The supervisors' wall and its stored alerts.

`GET /api/live/wall/events`: server-sent events: `event: calls` (the summaries of the live calls the user may
see) first, then `event: call` with a call's summary whenever it changes (the last one has `ended`) and
`event: alert` with each alert as it is stored (`LiveAlertRead`). The user's scope (a supervisor's team) is
read again every `WALL_SCOPE_REFRESH_S`: when it changed, a fresh `event: calls` replaces the list, and a
user who lost the wall (role, deactivated) has the stream closed. Supervisors (their team's agents) and
admins only.
`GET /api/live/alerts[?open=true][&call_key=…]`: stored alerts within the user's scope, newest first.
`POST /api/live/alerts/{id}/acknowledge`: mark one seen (404 outside the scope; again: unchanged).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from api.deps import IdPath, SessionDep, require_roles
from api.errors import ERROR_RESPONSES
from api.live import WALL_ROLES, LiveAlertRead, LiveHub, WallEvent
from api.routes.live import KEEP_ALIVE_S
from callqa.services.live_alerts import acknowledge_alert, list_alerts
from models import User
from scoring.workflow import visible_agent_ids

router = APIRouter(tags=["live"], responses=ERROR_RESPONSES)

WALL_SCOPE_REFRESH_S = 5.0
"""Seconds between re-reads of a wall user's scope (a supervisor moved to another team, or a team's
members changed, shows without a reload)."""
WallUser = Annotated[User, require_roles(*WALL_ROLES)]
Scope = frozenset[int] | None
"""The agents a wall user may see (None: all)."""


def _scope(db: Session, user: User) -> Scope:
    agents = visible_agent_ids(db, user)
    return None if agents is None else frozenset(agents)


def _current_scope(factory: sessionmaker[Session], user_id: int) -> tuple[bool, Scope]:
    """(whether the user still has the wall, their scope now)."""
    with factory() as db:
        user = db.get(User, user_id)
        if user is None or not user.active or user.role not in WALL_ROLES:
            return False, frozenset()
        return True, _scope(db, user)


def _calls(hub: LiveHub, scope: Scope) -> str:
    calls = [s.summary() for s in list(hub.sessions.values()) if scope is None or s.agent_id in scope]
    return f"event: calls\ndata: {json.dumps(calls)}\n\n"


@router.get("/api/live/wall/events")
def live_wall(request: Request, user: WallUser, db: SessionDep) -> StreamingResponse:
    """The supervisors' wall as server-sent events: every live call the user may see, then each change.
    A plain `def`: the scope is read from the database in the thread pool, never on the event loop; the
    stream itself runs on the loop and reads the database only through `asyncio.to_thread`."""
    hub: LiveHub = request.app.state.live
    factory: sessionmaker[Session] = request.app.state.session_factory
    user_id, scope = user.id, _scope(db, user)

    async def stream() -> AsyncIterator[str]:
        nonlocal scope
        # on the event loop, like every change to the hub: no event slips between the list and the queue
        queue: asyncio.Queue[WallEvent] = asyncio.Queue()
        hub.watchers.add(queue)
        try:
            yield _calls(hub, scope)
            sent = refreshed = time.monotonic()
            while True:
                due = refreshed + WALL_SCOPE_REFRESH_S
                try:
                    kind, data = await asyncio.wait_for(queue.get(), timeout=max(0.0, due - time.monotonic()))
                except TimeoutError:
                    kind, data = "", {}
                if time.monotonic() >= due:
                    allowed, fresh = await asyncio.to_thread(_current_scope, factory, user_id)
                    refreshed = time.monotonic()
                    if not allowed:
                        return
                    if fresh != scope:
                        scope = fresh
                        yield _calls(hub, scope)
                        sent = refreshed
                        continue  # the fresh list holds the change just taken, if it is in scope
                if kind and (scope is None or data["agent_id"] in scope):
                    yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"
                    sent = time.monotonic()
                elif time.monotonic() - sent >= KEEP_ALIVE_S:
                    yield ": keep-alive\n\n"
                    sent = time.monotonic()
        finally:
            hub.watchers.discard(queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/api/live/alerts", response_model=list[LiveAlertRead])
def live_alerts(
    user: WallUser,
    db: SessionDep,
    open: bool = False,
    call_key: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LiveAlertRead]:
    """Stored wall alerts of the agents the user may see, newest first (`open`: not acknowledged yet)."""
    rows = list_alerts(
        db, agent_ids=visible_agent_ids(db, user), open_only=open, call_key=call_key, limit=limit
    )
    return [LiveAlertRead.model_validate(row) for row in rows]


@router.post("/api/live/alerts/{alert_id}/acknowledge", response_model=LiveAlertRead)
def acknowledge_live_alert(alert_id: IdPath, user: WallUser, db: SessionDep) -> LiveAlertRead:
    """Mark an alert seen by this user (kept as it was when it had been acknowledged already)."""
    row = acknowledge_alert(db, alert_id, user_id=user.id, agent_ids=visible_agent_ids(db, user))
    return LiveAlertRead.model_validate(row)
