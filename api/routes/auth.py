"""Login for the JSON API (OAuth2 password flow → bearer token) and logout, which ends the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status

from api.deps import CurrentUser, LoginAttemptDep, SessionDep, SettingsDep, current_login
from api.errors import ERROR_RESPONSES
from api.schemas import TokenRead, UserRead
from api.security import open_session, revoke_session
from models import LoginSession

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/token", response_model=TokenRead)
def login(attempt: LoginAttemptDep, session: SessionDep, settings: SettingsDep) -> TokenRead:
    """A bearer token for a new session (429 with Retry-After after too many failures)."""
    if attempt.throttled is not None:
        raise attempt.throttled
    user = attempt.user
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    token = open_session(session, secret_key=settings.signing_key, user=user, ttl_s=settings.token_ttl_s)
    return TokenRead(access_token=token, role=user.role)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def logout(
    session: SessionDep, _user: CurrentUser, login: Annotated[LoginSession, Depends(current_login)]
) -> Response:
    """End the session of this bearer token (or cookie): it is refused from now on."""
    revoke_session(session, login)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserRead)
def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)
