"""Teams: agents grouped under a name, for team KPIs (`routing.kpis.compute_kpis(team_id=...)`).
An agent is in at most one team; putting them in another moves them. Functions take a `Session`
keyword-only where they read, flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Agent, Team, TeamMember


class TeamError(ValueError):
    """A team request that is invalid in itself (an unknown agent)."""


class TeamNotFoundError(TeamError):
    """No team with that id."""


class TeamExistsError(TeamError):
    """A team of that name exists already."""


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    agent_ids: list[int]


def create_team(session: Session, name: str) -> TeamView:
    """A new team without members; TeamExistsError when the name is taken (the unique index decides)."""
    team = Team(name=name)
    try:
        with session.begin_nested():
            session.add(team)
    except IntegrityError:
        raise TeamExistsError(f"a team named {name!r} exists already") from None
    return TeamView(team.id, team.name, [])


def set_members(session: Session, team_id: int, agent_ids: list[int]) -> TeamView:
    """Make `agent_ids` the team's members (moved from any other team; former members leave it)."""
    team = session.get(Team, team_id)
    if team is None:
        raise TeamNotFoundError(f"team {team_id} not found")
    known = set(session.scalars(select(Agent.id).where(Agent.id.in_(agent_ids))))
    if unknown := sorted(set(agent_ids) - known):
        raise TeamError(f"unknown agents {unknown}")
    session.execute(delete(TeamMember).where(TeamMember.team_id == team_id))
    session.execute(delete(TeamMember).where(TeamMember.agent_id.in_(agent_ids)))
    session.add_all(TeamMember(agent_id=a, team_id=team_id) for a in sorted(set(agent_ids)))
    session.flush()
    return TeamView(team.id, team.name, sorted(set(agent_ids)))


def list_teams(session: Session) -> list[TeamView]:
    """Every team with its members, by name."""
    members: dict[int, list[int]] = {}
    for agent_id, team_id in session.execute(select(TeamMember.agent_id, TeamMember.team_id)):
        members.setdefault(team_id, []).append(agent_id)
    return [
        TeamView(t.id, t.name, sorted(members.get(t.id, [])))
        for t in session.scalars(select(Team).order_by(Team.name))
    ]


def team_members(session: Session, team_id: int) -> set[int]:
    """The agents of team `team_id`; TeamNotFoundError when there is no such team."""
    if session.get(Team, team_id) is None:
        raise TeamNotFoundError(f"team {team_id} not found")
    return set(session.scalars(select(TeamMember.agent_id).where(TeamMember.team_id == team_id)))
