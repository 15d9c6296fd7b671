"""What every page shares: the templates, the session's form token (CSRF) and `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.security import csrf_matches
from models import LoginSession, User

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
templates.env.globals["verdict_label"] = lambda v: {True: "pass", False: "FAIL", None: "n/a"}[v]


def check_csrf(request: Request, token: str) -> None:
    """403 unless `token` is the form token of this request's login session (new with every login)."""
    login: LoginSession | None = getattr(request.state, "login", None)
    if login is None or not csrf_matches(login, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid form token; reload the page")


def render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    """The template `name` with the user, their session's form token and the `?msg=` flash message."""
    login: LoginSession | None = getattr(request.state, "login", None) if user else None
    message = request.query_params.get("msg")
    return templates.TemplateResponse(
        request, name, {"user": user, "csrf": login.csrf if login else "", "message": message, **context}
    )
