"""Teams (`routing/teams.py`): admins create them and set their members; staff list them. Team KPIs are
`GET /api/kpis?team_id=`."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminUser, IdPath, SessionDep, StaffUser
from api.errors import ERROR_RESPONSES
from api.schemas_center import TeamIn, TeamMembersIn
from routing import teams
from routing.teams import TeamView

router = APIRouter(prefix="/api/teams", tags=["teams"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[TeamView])
def list_teams(session: SessionDep, _user: StaffUser) -> list[TeamView]:
    """Every team with its members' agent ids, by name."""
    return teams.list_teams(session)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TeamView)
def create_team(body: TeamIn, session: SessionDep, _user: AdminUser) -> TeamView:
    """A new, empty team; 409 when the name is taken."""
    return teams.create_team(session, body.name)


@router.put("/{team_id}/members", response_model=TeamView)
def set_members(team_id: IdPath, body: TeamMembersIn, session: SessionDep, _user: AdminUser) -> TeamView:
    """The team's members from now on; 422 for an unknown agent."""
    return teams.set_members(session, team_id, body.agent_ids)
