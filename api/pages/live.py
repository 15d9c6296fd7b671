"""Live assist pages, filled by the browser from server-sent events.

`/live/{key}`: one live call's turns, the caller's mood, the script checklist and suggestions
(`/api/live/calls/{key}/events`, `static/live.js`), for whoever may see the agent's calls (the agent, their
team's supervisors, QA and admins); anyone else gets 404, as for a call that is not live.
`/live`: the supervisors' wall, every live call they may see with the caller's mood and the alerts
(`/api/live/wall/events`, `static/live_wall.js`), and the stored alerts not yet acknowledged (a form each,
`POST /live/alerts/{id}/acknowledge`); supervisors (their team's calls) and admins only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import IdPath, PageUser, SessionDep
from api.live import WALL_ROLES, LiveHub
from api.pages.rendering import check_csrf, redirect, render
from callqa.services.live_alerts import acknowledge_alert, list_alerts
from models import Agent, User
from scoring.workflow import may_see_agent, visible_agent_ids

router = APIRouter()

OPEN_ALERTS_SHOWN = 200
"""Newest unacknowledged alerts the wall lists."""


def _wall_user(user: User) -> User:
    if user.role not in WALL_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for supervisors and admins")
    return user


@router.get("/live", response_class=HTMLResponse)
def live_wall_page(request: Request, user: PageUser, db: SessionDep) -> HTMLResponse:
    _wall_user(user)
    alerts = list_alerts(db, agent_ids=visible_agent_ids(db, user), open_only=True, limit=OPEN_ALERTS_SHOWN)
    ids = {a.agent_id for a in alerts}
    names = dict(db.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids))).tuples().all())
    return render(request, "live_wall.html", user, alerts=alerts, agent_names=names)


@router.post("/live/alerts/{alert_id}/acknowledge")
def acknowledge_page(
    alert_id: IdPath, request: Request, user: PageUser, db: SessionDep, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    _wall_user(user)
    acknowledge_alert(db, alert_id, user_id=user.id, agent_ids=visible_agent_ids(db, user))
    return redirect("/live")


@router.get("/live/{key}", response_class=HTMLResponse)
def live_page(request: Request, key: str, user: PageUser, db: SessionDep) -> HTMLResponse:
    hub: LiveHub = request.app.state.live
    session = hub.sessions.get(key)
    if session is None or not may_see_agent(db, user, session.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such live call")
    return render(request, "live.html", user, key=key)
