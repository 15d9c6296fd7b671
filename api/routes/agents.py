"""Agents and their scores. An agent may read only their own."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.deps import CurrentUser, SessionDep, StaffUser
from api.schemas import AgentRead, AgentScoresRead, ScoreRead
from models import Agent
from scoring.service import list_agent_scores

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get("", response_model=list[AgentRead])
def list_agents(session: SessionDep, _user: StaffUser) -> list[AgentRead]:
    return [AgentRead.model_validate(a) for a in session.scalars(select(Agent).order_by(Agent.name))]


@router.get("/{agent_id}/scores", response_model=AgentScoresRead)
def agent_scores(agent_id: int, session: SessionDep, user: CurrentUser, limit: int = 200) -> AgentScoresRead:
    if (user.role == "agent" and user.agent_id != agent_id) or session.get(Agent, agent_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    rows = list_agent_scores(session, agent_id=agent_id, limit=min(limit, 1000))
    scores = [ScoreRead.model_validate(score) for _call, score in rows]
    average = sum(s.total for s in scores) / len(scores) if scores else None
    return AgentScoresRead(agent_id=agent_id, average=average, count=len(scores), scores=scores)
