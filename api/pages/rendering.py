"""What every page shares: the templates (with the glossary's labels), the session's form token (CSRF),
the unread-notification count and `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import object_session

from api.security import csrf_matches
from models import LoginSession, User
from scoring import glossary
from scoring.workflow import unread_count

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
templates.env.globals.update(
    label=glossary.label,
    state_label=glossary.state_label,
    match_label=glossary.confidence_label,
    severity=glossary.severity_label,
    source_label=lambda source: glossary.SOURCES.get(source or "phrase", source),
)
templates.env.filters["reason"] = glossary.reason_label
templates.env.filters["label"] = glossary.label
templates.env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M UTC") if at else ""


def check_csrf(request: Request, token: str) -> None:
    """403 unless `token` is the form token of this request's login session (new with every login)."""
    login: LoginSession | None = getattr(request.state, "login", None)
    if login is None or not csrf_matches(login, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid form token; reload the page")


def render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    """The template `name` with the user, their session's form token and the `?msg=` flash message."""
    login: LoginSession | None = getattr(request.state, "login", None) if user else None
    message = request.query_params.get("msg")
    # The header's unread count, read in the user's own request session (the page's transaction).
    db = object_session(user) if user else None
    unread = unread_count(db, user.id) if db is not None and user is not None else 0
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "csrf": login.csrf if login else "", "message": message, "unread": unread, **context},
    )
