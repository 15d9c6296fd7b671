"""Logins: server-side sessions behind signed tokens, their form (CSRF) tokens, and the login guard that
throttles guessing and bounds the memory password hashing may take.

A token is the signed form (itsdangerous, keyed by the secret) of a random session id; the database keeps
only the id's SHA-256. A token is valid while its session row exists, is not revoked and not expired, so
logout ends it at once for the cookie and the bearer alike, and rotating the secret ends every session.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import LoginSession, User, utcnow

_SALT = "callqa-session"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(session: Session, *, secret_key: str, user: User, ttl_s: int) -> str:
    """Start a login session for `user` lasting `ttl_s` seconds; returns the token the client keeps.
    Sessions that ended over a day ago are dropped on the way. Flushes only."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now - timedelta(days=1)))
    session.add(
        LoginSession(
            token_hash=_digest(raw),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    session.flush()
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(raw)


def find_session(
    session: Session, *, secret_key: str, token: str, now: datetime | None = None
) -> LoginSession | None:
    """The live session (signed by `secret_key`, not revoked, not expired) `token` stands for, else None."""
    try:
        raw = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(raw, str):
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(raw)))
    if login is None or login.revoked_at is not None or login.expires_at <= (now or utcnow()):
        return None
    return login


def revoke_session(session: Session, login: LoginSession) -> None:
    """End `login` now (logout). Flushes only."""
    login.revoked_at = utcnow()
    session.flush()


def csrf_matches(login: LoginSession, token: str) -> bool:
    return hmac.compare_digest(login.csrf.encode(), token.encode())


class LoginThrottled(Exception):
    """Too many failed logins for this username or from this client; retry after `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass
class LoginGuard:
    """Throttles password guessing (failed attempts per minute, per username and per client address) and
    runs at most `max_concurrent_checks` password checks at once (each Argon2 check holds ~64 MB).

    Checks beyond that wait on the event loop, not in a worker thread, so a burst of logins cannot starve
    the thread pool that every other request needs.
    """

    per_username_per_minute: int
    per_client_per_minute: int
    max_concurrent_checks: int

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._by_user = RateLimitItemPerMinute(self.per_username_per_minute)
        self._by_client = RateLimitItemPerMinute(self.per_client_per_minute)
        self._hashing = anyio.CapacityLimiter(self.max_concurrent_checks)

    async def check(self, username: str, client: str, verify: Callable[[], User | None]) -> User | None:
        """Run `verify` (the password check, in a worker thread) unless this username or client is
        throttled; a failure counts against both. Raises `LoginThrottled` while either is over its limit,
        even for the right password."""
        keys = ((self._by_user, "user", username.casefold()), (self._by_client, "client", client))
        for item, *key in keys:
            if not self._limiter.test(item, *key):
                reset_at, _remaining = self._limiter.get_window_stats(item, *key)
                raise LoginThrottled(max(1, math.ceil(reset_at - time.time())))
        user = await anyio.to_thread.run_sync(verify, limiter=self._hashing)
        if user is None:
            for item, *key in keys:
                self._limiter.hit(item, *key)
        return user
