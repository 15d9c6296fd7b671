"""Login users (password hashing with pwdlib/Argon2, creation, authentication; a supervisor leads one of
the teams of routing.teams), and agents as admins add them (skills, routing profile, team)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import ROLES, Agent, LoginSession, Team, TeamMember, User
from routing.service import set_routing_profile, set_skills


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
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    agent_id: int | None = None,
    team_id: int | None = None,
) -> User:
    """Create a user. An `agent` user must be linked to an existing agent, a `supervisor` to an existing
    team (the agents whose reviews and disputes they work). Flushes only."""
    if role not in ROLES:
        raise UserError(f"role must be one of {ROLES}, not {role!r}")
    _check_password(password)
    if role == "agent" and (agent_id is None or session.get(Agent, agent_id) is None):
        raise UserError("an agent login must be linked to an existing agent")
    if role == "supervisor" and (team_id is None or session.get(Team, team_id) is None):
        raise UserError("a supervisor login must lead an existing team")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        agent_id=agent_id,
        team_id=team_id if role == "supervisor" else None,
    )
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


def create_agent(
    session: Session,
    *,
    name: str,
    employee_no: str | None = None,
    skills: dict[str, int],
    languages: list[str],
    extension: str | None = None,
    tier: int = 1,
    team_id: int | None = None,
) -> Agent:
    """A new agent with `skills` (name → proficiency 1–5, unknown skill names created), the languages
    they take calls in, PBX extension, tier and team. UserError when a value is refused (an extension
    another agent has, a proficiency out of range, a team that does not exist). Flushes only."""
    if not name.strip():
        raise UserError("an agent needs a name")
    if any(not 1 <= level <= 5 for level in skills.values()):
        raise UserError("proficiency is 1 (novice) to 5 (expert)")
    if not languages:
        raise UserError("an agent takes calls in at least one language")
    if team_id is not None and session.get(Team, team_id) is None:
        raise UserError(f"team {team_id} does not exist")
    if employee_no and session.scalar(select(Agent.id).where(Agent.employee_no == employee_no)):
        raise UserError(f"employee number {employee_no!r} belongs to another agent")
    # In a savepoint: a refused routing profile leaves no half-made agent behind for the caller to commit
    # (the admin page answers a refusal with the form again, in a transaction that still commits).
    try:
        with session.begin_nested():
            agent = Agent(name=name.strip(), employee_no=employee_no or None)
            session.add(agent)
            set_skills(session, agent, skills)
            set_routing_profile(session, agent, languages=languages, extension=extension, tier=tier)
            if team_id is not None:
                session.add(TeamMember(agent_id=agent.id, team_id=team_id))
                session.flush()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return agent


def update_agent(session: Session, agent: Agent, *, active: bool, team_id: int | None) -> None:
    """Enable or disable `agent` (a disabled agent is offered no calls) and move them to `team_id`
    (None: no team; an agent is in one team at most). Flushes only."""
    if team_id is not None and session.get(Team, team_id) is None:
        raise UserError(f"team {team_id} does not exist")
    agent.active = active
    membership = session.get(TeamMember, agent.id)
    if membership is not None and membership.team_id != team_id:
        session.delete(membership)
        session.flush()
    if team_id is not None and (membership is None or membership.team_id != team_id):
        session.add(TeamMember(agent_id=agent.id, team_id=team_id))
    session.flush()


def team_of(session: Session, agent_id: int) -> int | None:
    """The team `agent_id` is in, or None."""
    return session.scalar(select(TeamMember.team_id).where(TeamMember.agent_id == agent_id))
