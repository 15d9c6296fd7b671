"""Live assist pages, filled by the browser from server-sent events.

`/live/{key}`: one live call's turns, the caller's mood, the script checklist and suggestions
(`/api/live/calls/{key}/events`, `static/live.js`), for whoever may see the agent's calls (the agent, their
team's supervisors, QA and admins); anyone else gets 404, as for a call that is not live.
`/live`: the supervisors' wall, every live call they may see with the caller's mood and the alerts
(`/api/live/wall/events`, `static/live_wall.js`); supervisors (their team's calls) and admins only.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from api.deps import PageUser, SessionDep
from api.live import WALL_ROLES, LiveHub
from api.pages.rendering import render
from scoring.workflow import may_see_agent

router = APIRouter()


@router.get("/live", response_class=HTMLResponse)
def live_wall_page(request: Request, user: PageUser) -> HTMLResponse:
    if user.role not in WALL_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for supervisors and admins")
    return render(request, "live_wall.html", user)


@router.get("/live/{key}", response_class=HTMLResponse)
def live_page(request: Request, key: str, user: PageUser, db: SessionDep) -> HTMLResponse:
    hub: LiveHub = request.app.state.live
    session = hub.sessions.get(key)
    if session is None or not may_see_agent(db, user, session.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such live call")
    return render(request, "live.html", user, key=key)
