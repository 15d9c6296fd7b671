"""Agents: the list, adding one with skills and routing profile (languages, PBX extension, tier), their
scores, summary and manual monthly scores. Every change reaches the live router before its next decision
(the routing-facts version in `models.routing`).

An agent user may read only their own scores and summary; any other agent answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from api.deps import AdminUser, IdPath, ScopedAgentId, ScorecardDep, SessionDep, StaffUser
from api.errors import ERROR_RESPONSES
from api.schemas import (
    AgentRead,
    AgentScoresRead,
    AgentSummaryRead,
    ManualIn,
    ManualScoresRead,
    Proficiency,
    ScoreRead,
)
from api.schemas_routing import AgentIn, AgentSkillsRead, RoutingProfileIn
from models import Agent
from routing.service import set_routing_profile, set_skills
from scoring.aggregates import agent_summaries, set_manual_scores
from scoring.effective import list_agent_scores

router = APIRouter(prefix="/api/agents", tags=["agents"], responses=ERROR_RESPONSES)


def _agent(session: SessionDep, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return agent


@router.get("", response_model=list[AgentRead])
def list_agents(session: SessionDep, _user: StaffUser) -> list[AgentRead]:
    return [AgentRead.model_validate(a) for a in session.scalars(select(Agent).order_by(Agent.name))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AgentSkillsRead)
def create_agent(body: AgentIn, session: SessionDep, _user: AdminUser) -> AgentSkillsRead:
    """Admins add agents with their skills (proficiency 1–5; skills are created by name as needed),
    languages, PBX extension and tier. 409 when the extension belongs to another agent."""
    agent = Agent(name=body.name, employee_no=body.employee_no)
    session.add(agent)
    set_skills(session, agent, body.skills)
    _set_profile(session, agent, body)
    return AgentSkillsRead.of(agent)


@router.put("/{agent_id}/skills", response_model=AgentSkillsRead)
def set_agent_skills(
    agent_id: IdPath, skills: dict[str, Proficiency], session: SessionDep, _user: AdminUser
) -> AgentSkillsRead:
    """Replace an agent's skills (admin)."""
    agent = _agent(session, agent_id)
    set_skills(session, agent, skills)
    return AgentSkillsRead.of(agent)


@router.put("/{agent_id}/routing", response_model=AgentSkillsRead)
def set_agent_routing(
    agent_id: IdPath, body: RoutingProfileIn, session: SessionDep, _user: AdminUser
) -> AgentSkillsRead:
    """Set an agent's languages, PBX extension and tier (admin); 409 when another agent has the extension."""
    agent = _agent(session, agent_id)
    _set_profile(session, agent, body)
    return AgentSkillsRead.of(agent)


def _set_profile(session: SessionDep, agent: Agent, body: RoutingProfileIn) -> None:
    try:
        set_routing_profile(
            session, agent, languages=body.languages, extension=body.extension, tier=body.tier
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.get("/{agent_id}/scores", response_model=AgentScoresRead)
def agent_scores(
    agent_id: ScopedAgentId, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> AgentScoresRead:
    _agent(session, agent_id)
    rows = list_agent_scores(session, agent_id=agent_id, limit=limit)
    scores = [ScoreRead.of(score) for score in rows]
    average = sum(s.total for s in scores) / len(scores) if scores else None
    return AgentScoresRead(agent_id=agent_id, average=average, count=len(scores), scores=scores)


@router.get("/{agent_id}/summary", response_model=AgentSummaryRead)
def agent_summary(agent_id: ScopedAgentId, session: SessionDep, card: ScorecardDep) -> AgentSummaryRead:
    """Rolling averages, item pass rates, trend, team percentile and KPIs (own, or staff)."""
    summary = agent_summaries(session, card).get(agent_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return AgentSummaryRead.model_validate(summary.to_dict())


@router.put("/{agent_id}/manual-scores/{month}", response_model=ManualScoresRead)
def put_manual_scores(
    agent_id: IdPath, month: str, body: ManualIn, session: SessionDep, user: StaffUser
) -> ManualScoresRead:
    """Knowledge and performance (0–100) for the monthly composite; month is YYYY-MM."""
    _agent(session, agent_id)
    if (
        len(month) != 7
        or month[4] != "-"
        or not (month[:4] + month[5:]).isdigit()
        or not 1 <= int(month[5:]) <= 12
    ):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "month must be YYYY-MM")
    row = set_manual_scores(
        session,
        agent_id=agent_id,
        month=month,
        knowledge=body.knowledge,
        performance=body.performance,
        entered_by=user.id,
    )
    return ManualScoresRead(
        agent_id=agent_id, month=month, knowledge=row.knowledge, performance=row.performance
    )
