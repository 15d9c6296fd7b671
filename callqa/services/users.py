"""Login users: password hashing (pwdlib, Argon2) and account creation/authentication."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import ROLES, Agent, LoginSession, User


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise UserError("password must have at least 8 characters")


def create_user(
    session: Session, *, username: str, password: str, role: str, agent_id: int | None = None
) -> User:
    """Create a user. An `agent` user must be linked to an existing agent. Flushes only."""
    if role not in ROLES:
        raise UserError(f"role must be one of {ROLES}, not {role!r}")
    _check_password(password)
    if role == "agent" and (agent_id is None or session.get(Agent, agent_id) is None):
        raise UserError("an agent login must be linked to an existing agent")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, password_hash=hash_password(password), role=role, agent_id=agent_id)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown user and bad password)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        _hasher().hash(password)  # same work as a real check, so timing does not reveal usernames
        return None
    return user if _hasher().verify(password, user.password_hash) else None


def set_active(session: Session, user: User, *, active: bool, by: User) -> None:
    """Enable or disable a login; a disabled user's sessions stop working at their next request (every
    request checks `active`). Nobody disables themselves (an admin could lock everyone out)."""
    if user.id == by.id and not active:
        raise UserError("you cannot disable your own login")
    user.active = active
    session.flush()


def reset_password(session: Session, user: User, *, password: str) -> None:
    """Set a new password and end every open session of the user (a leaked one stops working)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.flush()
