"""What every page shares: the templates (with the glossary's labels), the session's form token (CSRF),
the unread-notification count, `render` and `redirect`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
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


def redirect(path: str, *, fragment: str = "", **query: object) -> RedirectResponse:
    """A 303 See Other to this site's `path` (which may carry a query of its own, e.g. the queue view a form
    was sent from) with `query` added, every value URL-encoded as text, then `#fragment`. Every page form
    answers with it, so a message or error (`msg=`, `error=`) holding &, #, ? or any language's letters
    reaches the page as written instead of being cut at the first & or # or turned into another parameter."""
    parts = urlsplit(path)
    pairs = parse_qsl(parts.query, keep_blank_values=True) + [(k, str(v)) for k, v in query.items()]
    return RedirectResponse(
        urlunsplit(("", "", parts.path, urlencode(pairs, quote_via=quote), fragment)),
        status.HTTP_303_SEE_OTHER,
    )


ERROR_PAGES: dict[int, tuple[str, str]] = {
    401: ("Log in first", "Your session has ended. Log in again, then go back."),
    403: ("Not allowed", "Your role cannot do this. Ask an administrator if you need it."),
    404: ("Not found", "It does not exist, or it is not one you may see."),
    409: (
        "Changed meanwhile",
        "Someone (or a second click) did this first. Go back and reload the page to see where it stands.",
    ),
    422: ("That could not be done", "Go back, correct the form and send it again."),
    429: ("Too many attempts", "Wait a little, then try again."),
    503: ("Busy", "The server is busy; try again in a few seconds."),
}


def wants_page(request: Request) -> bool:
    """True for a browser navigating or sending a page form (not the JSON API): its errors get a page."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """An error as a page with the same status: what went wrong, what to do, and a link back to the page
    the form was on (its path on this site only, from the Referer)."""
    heading, advice = ERROR_PAGES.get(status_code, ("Something went wrong", "Go back and try again."))
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    back = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else ""
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "user": None,
            "csrf": "",
            "message": None,
            "unread": 0,
            "heading": heading,
            "advice": advice,
            "detail": detail,
            "back": back,
        },
        status_code=status_code,
    )
