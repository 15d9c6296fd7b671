"""The live assist panel: one live call's turns, the caller's mood, the script checklist and suggestions,
filled by the browser from the call's server-sent events (`/api/live/calls/{key}/events`, `static/live.js`).
The call's agent and QA/admin only; anyone else gets 404, as for a call that is not live."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from api.deps import STAFF_ROLES, PageUser
from api.live import LiveHub
from api.pages.rendering import render

router = APIRouter()


@router.get("/live/{key}", response_class=HTMLResponse)
def live_page(request: Request, key: str, user: PageUser) -> HTMLResponse:
    hub: LiveHub = request.app.state.live
    session = hub.sessions.get(key)
    if session is None or (user.role not in STAFF_ROLES and user.agent_id != session.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such live call")
    return render(request, "live.html", user, key=key)
