"""Agent and team administration page (admins): add agents with skills, languages, PBX extension, tier
and team; disable or enable an agent, move them to another team; add teams for supervisors to lead.
The same service functions as POST /api/agents (callqa.services.users)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import AdminPageUser, IdPath, SessionDep, parse_id
from api.pages.rendering import check_csrf, redirect, render
from callqa.services.users import UserError, create_agent, update_agent
from models import Agent, Team, TeamMember
from routing.teams import TeamError, create_team

router = APIRouter()


def parse_skills(text: str) -> dict[str, int]:
    """Skills typed as "billing:4, sales" (a skill without a level is 3, the default proficiency)."""
    skills: dict[str, int] = {}
    for part in text.split(","):
        name, _, level = part.strip().partition(":")
        if not name.strip():
            continue
        if level.strip() and not level.strip().isdigit():
            raise UserError(f"the level of {name.strip()!r} is a number 1–5")
        skills[name.strip()] = int(level) if level.strip() else 3
    return skills


def _back(error: ValueError | None = None, msg: str = "") -> Response:
    return redirect("/admin/agents", error=error) if error is not None else redirect("/admin/agents", msg=msg)


@router.get("/admin/agents", response_class=HTMLResponse)
def agents_admin_page(
    request: Request, session: SessionDep, user: AdminPageUser, error: str = ""
) -> HTMLResponse:
    teams = session.scalars(select(Team).order_by(Team.name)).all()
    return render(
        request,
        "agents_admin.html",
        user,
        agents=session.scalars(select(Agent).order_by(Agent.name)).all(),
        teams=teams,
        team_names={t.id: t.name for t in teams},
        team_of=dict(session.execute(select(TeamMember.agent_id, TeamMember.team_id)).all()),
        error=error,
    )


@router.post("/admin/agents")
def add_agent(
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    name: Annotated[str, Form()],
    skills: Annotated[str, Form()] = "",
    languages: Annotated[str, Form()] = "en",
    extension: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "1",
    team_id: Annotated[str, Form()] = "",
    employee_no: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        agent = create_agent(
            session,
            name=name,
            employee_no=employee_no.strip() or None,
            skills=parse_skills(skills),
            languages=[code.strip() for code in languages.split(",") if code.strip()],
            extension=extension.strip() or None,
            tier=int(tier) if tier.isdigit() else 0,
            team_id=parse_id(team_id),
        )
    except UserError as exc:  # shown beside the form it came from, not as an error document
        return _back(exc)
    return _back(msg=f"Added {agent.name}")


@router.post("/admin/agents/{agent_id}")
def change_agent(
    agent_id: IdPath,
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    active: Annotated[str, Form()],
    team_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    try:
        update_agent(session, agent, active=active == "1", team_id=parse_id(team_id))
    except UserError as exc:
        return _back(exc)
    return _back(msg=f"Saved {agent.name}")


@router.post("/admin/teams")
def add_team(
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    name: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    if not name.strip():
        return _back(UserError("a team needs a name"))
    try:
        team = create_team(session, name.strip()[:120])
    except TeamError as exc:
        return _back(exc)
    return _back(msg=f"Added team {team.name}")
