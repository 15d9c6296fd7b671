"""Every shared request dependency: settings, the per-request DB session, the current user and their role,
the pages' login, the calls and agents a user may see, the scorecard and the hotline built at start-up.

Routes and pages import these from here only (never from one another).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Cookie, Depends, Header, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from sqlalchemy.orm import Session, object_session, sessionmaker
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from api.security import LoginGuard, LoginThrottled, find_session
from callqa.services.hotline import Hotline
from callqa.services.users import authenticate
from callqa.settings import Settings
from models import Call, LoginSession, User
from scoring.scorecard import Scorecard
from scoring.versions import stored_or_file_card
from scoring.workflow import STAFF_ROLES as STAFF_ROLES
from scoring.workflow import may_see_agent

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

SESSION_COOKIE = "callqa_session"

MAX_ID = 2**31 - 1
"""The largest id a row can have: ids are INTEGER columns (32-bit on PostgreSQL), so a larger number can
name no row and is refused before it reaches the database (which would fail on it)."""
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id (1 … 2^31−1).")]
"""A row id in a URL: anything outside a 64-bit id column answers 422, never a database overflow."""


def parse_id(text: str) -> int | None:
    """A row id typed into a form field, or None if it is empty or cannot be one."""
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else None


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    Used with `scope="function"`, so the commit happens before the response is sent: a client that reads
    right after a write sees it, and a commit that fails answers an error instead of a success already sent.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def authenticate_token(session: Session, settings: Settings, token: str | None) -> LoginSession:
    """The live login session a bearer token or session cookie stands for, its user active; 401 otherwise."""
    login = find_session(session, secret_key=settings.signing_key, token=token) if token else None
    user = session.get(User, login.user_id) if login is not None else None
    if login is None or user is None or not user.active:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not authenticated", headers={"WWW-Authenticate": "Bearer"}
        )
    return login


def _login_user(request: Request, session: Session, settings: Settings, token: str | None) -> User:
    login = authenticate_token(session, settings, token)
    request.state.login = login  # the form token (CSRF) and logout read it
    user = session.get(User, login.user_id)
    assert user is not None  # checked by authenticate_token
    return user


def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    cookie: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> User:
    """The user of a bearer token (JSON API) or of the session cookie (pages, the audio player)."""
    return _login_user(request, session, settings, token or cookie)


def current_login(request: Request) -> LoginSession:
    """The login session of this request, once a user dependency has authenticated it."""
    login: LoginSession = request.state.login
    return login


CurrentUser = Annotated[User, Depends(get_current_user)]


def staff_refusal(factory: sessionmaker[Session], settings: Settings, headers: Headers) -> int | None:
    """None if the request's bearer token or session cookie is a QA/admin login, else 401 or 403.

    For the upload middleware, which must decide from the headers before the body is read.
    """
    scheme, _, bearer = headers.get("authorization", "").partition(" ")
    token = bearer if scheme.lower() == "bearer" and bearer else None
    token = token or cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
    with factory() as session:
        try:
            login = authenticate_token(session, settings, token)
        except HTTPException as exc:
            return exc.status_code
        user = session.get(User, login.user_id)
        return None if user is not None and user.role in STAFF_ROLES else status.HTTP_403_FORBIDDEN


def audio_source_refusal(factory: sessionmaker[Session], settings: Settings, headers: Headers) -> int | None:
    """None if a live-audio stream may be opened with these headers: the PBX's hotline key, as
    `X-Hotline-Key` or as the password of HTTP Basic credentials (any user name: what jambonz's `wsAuth`
    sends), or a QA or admin login (bearer token or cookie); else 401 or 403. No anonymous audio."""
    key = headers.get("x-hotline-key")
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if key is None and scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials, validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return status.HTTP_401_UNAUTHORIZED
    if key is not None:
        # bytes: compare_digest refuses str with non-ASCII characters, which a client may send
        expected = (settings.hotline_key or "").encode()
        valid = bool(expected) and hmac.compare_digest(key.encode(), expected)
        return None if valid else status.HTTP_401_UNAUTHORIZED
    return staff_refusal(factory, settings, headers)


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only users with one of `roles` through (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires role {' or '.join(roles)}")
        return user

    return Depends(check)


StaffUser = Annotated[User, require_roles(*STAFF_ROLES)]
AdminUser = Annotated[User, require_roles("admin")]


# Pages: the same login through the session cookie, but a missing one redirects to the login form.


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""


def page_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    try:
        return _login_user(request, session, settings, request.cookies.get(SESSION_COOKIE))
    except HTTPException as exc:
        raise LoginRequired from exc


PageUser = Annotated[User, Depends(page_user)]


def staff_page_user(user: PageUser) -> User:
    if user.role not in STAFF_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for QA staff")
    return user


def admin_page_user(user: PageUser) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for admins")
    return user


StaffPageUser = Annotated[User, Depends(staff_page_user)]
AdminPageUser = Annotated[User, Depends(admin_page_user)]


# What a user may see: an agent only their own calls and their own agent record, a supervisor their
# team's (scoring.workflow.visible_agent_ids); anything else answers 404 exactly like a missing one (no
# hint whether it exists).


def visible_call(session: Session, user: User, call_id: int) -> Call:
    """The call if `user` may see it; 404 otherwise."""
    call = session.get(Call, call_id)
    if call is None or not may_see_agent(session, user, call.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "call not found")
    return call


def get_visible_call(call_id: IdPath, session: SessionDep, user: CurrentUser) -> Call:
    return visible_call(session, user, call_id)


VisibleCall = Annotated[Call, Depends(get_visible_call)]


def check_agent_scope(user: User, agent_id: int) -> None:
    """An agent user may address only their own agent id, a supervisor their team's agents (404 for any
    other). `user` is the request's loaded login (its session answers the team lookup)."""
    if user.role == "agent" and user.agent_id != agent_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    session = object_session(user)
    if user.role == "supervisor" and (session is None or not may_see_agent(session, user, agent_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")


def get_scoped_agent_id(agent_id: IdPath, user: CurrentUser) -> int:
    check_agent_scope(user, agent_id)
    return agent_id


ScopedAgentId = Annotated[int, Depends(get_scoped_agent_id)]


def callback_in_scope(session: Session, user: User, agent_id: int | None, offered_to: int | None) -> bool:
    """Whether `user` may see a callback assigned to `agent_id` (None: unassigned, anyone's to take) and
    being offered to `offered_to`: QA and admins every one; a supervisor their team's and the unassigned
    ones; an agent theirs and the unassigned ones."""
    if agent_id is None:
        return True
    if user.role == "agent":
        return user.agent_id in (agent_id, offered_to)
    return may_see_agent(session, user, agent_id) or (
        offered_to is not None and may_see_agent(session, user, offered_to)
    )


# Built once at start-up (create_app) and shared by every request.


def get_scorecard(request: Request, session: SessionDep) -> Scorecard:
    """The active version of the deployment's scorecard (its YAML file, read and stored at start-up, is
    the first version); a read, never a write. A call's own score is re-computed with the version it
    names (`scoring.versions`)."""
    from_file: Scorecard = request.app.state.scorecard
    return stored_or_file_card(session, from_file)


ScorecardDep = Annotated[Scorecard, Depends(get_scorecard)]


def get_hotline(request: Request) -> Hotline:
    hotline: Hotline = request.app.state.hotline
    return hotline


HotlineDep = Annotated[Hotline, Depends(get_hotline)]


def hotline_client(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    x_hotline_key: Annotated[str | None, Header()] = None,
) -> User | None:
    """The PBX (valid `X-Hotline-Key` → None) or a logged-in user; anyone else gets 401.

    Hotline routes hold no request session (the hotline owns its transactions), so the user is read in
    a short session of its own and detached.
    """
    if x_hotline_key is not None:
        # bytes: compare_digest refuses str with non-ASCII characters, which a client may send
        if settings.hotline_key and hmac.compare_digest(
            x_hotline_key.encode(), settings.hotline_key.encode()
        ):
            return None
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid hotline key")
    with request.app.state.session_factory() as session:
        user = _login_user(request, session, settings, token or request.cookies.get(SESSION_COOKIE))
        session.expunge(user)
        return user


HotlineClient = Annotated[User | None, Depends(hotline_client)]


def get_login_guard(request: Request) -> LoginGuard:
    guard: LoginGuard = request.app.state.login_guard
    return guard


LoginGuardDep = Annotated[LoginGuard, Depends(get_login_guard)]


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login form: the user if the password was right, or why it was not checked."""

    username: str
    user: User | None
    throttled: LoginThrottled | None = None


async def attempt_login(
    request: Request,
    session: SessionDep,
    guard: LoginGuardDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> LoginAttempt:
    """Check a username/password form through the login guard (the check itself runs in a thread)."""
    client = request.client.host if request.client else "unknown"
    try:
        user = await guard.check(
            form.username,
            client,
            lambda: authenticate(session, username=form.username, password=form.password),
        )
    except LoginThrottled as exc:
        return LoginAttempt(form.username, None, exc)
    return LoginAttempt(form.username, user)


LoginAttemptDep = Annotated[LoginAttempt, Depends(attempt_login)]
