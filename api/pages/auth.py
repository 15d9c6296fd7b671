"""Login and logout pages; the home page sends each role to where it works."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SESSION_COOKIE, PageUser, SessionDep, SettingsDep
from api.pages.rendering import render
from api.security import issue_token
from callqa.users import authenticate

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(user: PageUser) -> Response:
    return RedirectResponse("/me" if user.role == "agent" else "/queue", status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    user = authenticate(session, username=username, password=password)
    if user is None:
        return render(request, "login.html", None, error="Wrong username or password.")
    response = RedirectResponse("/me" if user.role == "agent" else "/queue", status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        issue_token(settings.secret_key, user.id),
        max_age=settings.token_ttl_s,
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response
