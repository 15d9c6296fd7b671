"""What every page shares: the templates, the per-user form token (CSRF) and `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer

from callqa.settings import Settings
from models import User

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
templates.env.globals["verdict_label"] = lambda v: {True: "pass", False: "FAIL", None: "n/a"}[v]

_CSRF_SALT = "callqa-csrf"


def csrf_token(settings: Settings, user: User) -> str:
    return URLSafeSerializer(settings.secret_key, salt=_CSRF_SALT).dumps(user.id)


def check_csrf(settings: Settings, user: User, token: str) -> None:
    """403 unless `token` is the form token of `user`."""
    try:
        ok = URLSafeSerializer(settings.secret_key, salt=_CSRF_SALT).loads(token) == user.id
    except BadSignature:
        ok = False
    if not ok:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid form token; reload the page")


def render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    """The template `name` with the user, their form token and the `?msg=` flash message."""
    settings: Settings = request.app.state.settings
    csrf = csrf_token(settings, user) if user else ""
    message = request.query_params.get("msg")
    return templates.TemplateResponse(
        request, name, {"user": user, "csrf": csrf, "message": message, **context}
    )
