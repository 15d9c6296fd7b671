"""Login and logout pages; the home page sends each role to where it works."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from api.deps import SESSION_COOKIE, LoginAttemptDep, PageUser, SessionDep, SettingsDep
from api.pages.rendering import redirect, render
from api.security import find_session, open_session, revoke_session

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(user: PageUser) -> Response:
    return redirect("/me" if user.role == "agent" else "/queue")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login")
def login(request: Request, attempt: LoginAttemptDep, session: SessionDep, settings: SettingsDep) -> Response:
    if attempt.throttled is not None:  # shown on the form it came from
        page = render(request, "login.html", None, error=str(attempt.throttled))
        page.status_code = status.HTTP_429_TOO_MANY_REQUESTS
        page.headers["Retry-After"] = str(attempt.throttled.retry_after_s)
        return page
    user = attempt.user
    if user is None:
        return render(request, "login.html", None, error="Wrong username or password.")
    response = redirect("/me" if user.role == "agent" else "/queue")
    response.set_cookie(
        SESSION_COOKIE,
        open_session(session, secret_key=settings.signing_key, user=user, ttl_s=settings.token_ttl_s),
        max_age=settings.token_ttl_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )
    return response


@router.get("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the session (server-side, so a copied cookie stops working too) and forget the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    login = find_session(session, secret_key=settings.signing_key, token=token) if token else None
    if login is not None:
        revoke_session(session, login)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=settings.cookie_secure)
    return response
