"""The QA workflow over JSON: review queue, reviewer verdicts, disputes, agreement, agent summaries.

`qa` and `admin` work the queue and resolve disputes; an `agent` files disputes on their own calls and
reads their own summary. Another agent's call or summary answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import CurrentUser, SessionDep, StaffUser
from api.routes.calls import visible_call
from models import Agent, Dispute, Review, User
from routing.service import set_skills
from scoring.aggregates import agent_summaries, set_manual_scores, team_overview
from scoring.review import (
    Decision,
    ReviewError,
    agreement,
    assign,
    list_queue,
    open_dispute,
    resolve_dispute,
    submit_review,
)
from scoring.scorecard import Scorecard, load_scorecard

router = APIRouter(tags=["reviews"])


def get_scorecard(request: Request) -> Scorecard:
    card: Scorecard | None = getattr(request.app.state, "scorecard", None)
    if card is None:
        card = request.app.state.scorecard = load_scorecard(request.app.state.settings.scorecard_path)
    return card


ScorecardDep = Annotated[Scorecard, Depends(get_scorecard)]


class DecisionIn(BaseModel):
    passed: bool | None = Field(description="The reviewer's verdict; null = not applicable.")
    comment: str = Field(default="", max_length=2000)


class ReviewIn(BaseModel):
    decisions: dict[str, DecisionIn]


class AssignIn(BaseModel):
    user_id: int | None


class DisputeIn(BaseModel):
    item: str = Field(min_length=1, max_length=80)
    comment: str = Field(min_length=1, max_length=2000)


class ManualIn(BaseModel):
    knowledge: float | None = Field(default=None, ge=0, le=100)
    performance: float | None = Field(default=None, ge=0, le=100)


class AgentIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    employee_no: str | None = Field(default=None, max_length=40)
    skills: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)


class ResolveIn(BaseModel):
    upheld: bool
    resolution: str = Field(default="", max_length=2000)


def review_dict(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "call_id": review.call_id,
        "state": review.state,
        "severity": review.severity,
        "reasons": review.reasons,
        "sampled": review.sampled,
        "flagged_at": review.flagged_at.isoformat(),
        "assignee_id": review.assignee_id,
        "machine_total": review.machine_total,
        "final_total": review.final_total,
        "verdicts": [
            {"item": v.item, "machine": v.machine_passed, "human": v.human_passed, "comment": v.comment}
            for v in review.verdicts
        ],
    }


def dispute_dict(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.id,
        "call_id": d.call_id,
        "item": d.item,
        "comment": d.comment,
        "state": d.state,
        "resolution": d.resolution,
        "created_at": d.created_at.isoformat(),
    }


def _review(session: SessionDep, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "review not found")
    return review


@router.get("/api/reviews")
def review_queue(
    session: SessionDep, user: StaffUser, state: str = "open", mine: bool = False, agent_id: int | None = None
) -> list[dict[str, Any]]:
    """The queue, most severe first, then oldest."""
    rows = list_queue(session, state=state, assignee_id=user.id if mine else None, agent_id=agent_id)
    return [review_dict(r) | {"agent_id": c.agent_id} for r, c in rows]


@router.get("/api/reviews/agreement")
def review_agreement(session: SessionDep, _user: StaffUser) -> dict[str, dict[str, float]]:
    """Per scorecard item: how often reviewers agreed with the machine (basis for tuning rules)."""
    return agreement(session)


@router.get("/api/reviews/{review_id}")
def get_review(review_id: int, session: SessionDep, _user: StaffUser) -> dict[str, Any]:
    return review_dict(_review(session, review_id))


@router.post("/api/reviews/{review_id}/assign")
def assign_review(review_id: int, body: AssignIn, session: SessionDep, _user: StaffUser) -> dict[str, Any]:
    if body.user_id is not None:
        assignee = session.get(User, body.user_id)
        if assignee is None or assignee.role not in ("qa", "admin"):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "assignee must be a qa or admin user")
    return review_dict(assign(session, _review(session, review_id), body.user_id))


@router.post("/api/reviews/{review_id}")
def post_review(
    review_id: int, body: ReviewIn, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> dict[str, Any]:
    """Confirm or override verdicts; the final score uses the human ones."""
    review = _review(session, review_id)
    decisions = {k: Decision(v.passed, v.comment) for k, v in body.decisions.items()}
    try:
        submit_review(session, review, reviewer_id=user.id, decisions=decisions, scorecard=card)
    except ReviewError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return review_dict(review)


@router.post("/api/calls/{call_id}/disputes", status_code=status.HTTP_201_CREATED)
def file_dispute(call_id: int, body: DisputeIn, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """An agent disputes one item of their own call's evaluation."""
    call = visible_call(session, user, call_id)
    if user.role != "agent":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the agent who handled the call can dispute it")
    try:
        dispute = open_dispute(session, call=call, item=body.item, author_id=user.id, comment=body.comment)
    except ReviewError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return dispute_dict(dispute)


@router.get("/api/disputes")
def list_disputes(session: SessionDep, user: CurrentUser, state: str = "open") -> list[dict[str, Any]]:
    """Staff see every dispute; an agent sees the ones they filed."""
    stmt = select(Dispute).where(Dispute.state == state).order_by(Dispute.created_at)
    if user.role == "agent":
        stmt = stmt.where(Dispute.author_id == user.id)
    return [dispute_dict(d) for d in session.scalars(stmt)]


@router.post("/api/disputes/{dispute_id}/resolve")
def resolve(
    dispute_id: int, body: ResolveIn, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> dict[str, Any]:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dispute not found")
    try:
        resolve_dispute(
            session,
            dispute,
            resolver_id=user.id,
            upheld=body.upheld,
            resolution=body.resolution,
            scorecard=card,
        )
    except ReviewError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return dispute_dict(dispute)


@router.get("/api/agents/{agent_id}/summary")
def agent_summary(agent_id: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Rolling averages, item pass rates, trend, team percentile and KPIs (own, or staff)."""
    if user.role == "agent" and user.agent_id != agent_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    summary = agent_summaries(session).get(agent_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return summary.to_dict()


@router.get("/api/overview")
def overview(session: SessionDep, _user: StaffUser) -> dict[str, Any]:
    """Supervisor view: agents ranked by 30-day score, team item pass rates, queue counts."""
    team = team_overview(session)
    return {
        "agents": [s.to_dict() for s in team.ranked],
        "item_pass_rates": {k: round(v, 3) for k, v in team.item_pass_rates.items()},
        "flagged_open": team.flagged_open,
        "disputes_open": team.disputes_open,
    }


@router.put("/api/agents/{agent_id}/manual-scores/{month}")
def put_manual_scores(
    agent_id: int, month: str, body: ManualIn, session: SessionDep, user: StaffUser
) -> dict[str, Any]:
    """Knowledge and performance (0–100) for the monthly composite; month is YYYY-MM."""
    if session.get(Agent, agent_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
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
    return {"agent_id": agent_id, "month": month, "knowledge": row.knowledge, "performance": row.performance}


@router.post("/api/agents", status_code=status.HTTP_201_CREATED)
def create_agent(body: AgentIn, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Admins add agents with their skills (proficiency 1–5); skills are created by name as needed."""
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires role admin")
    agent = Agent(name=body.name, employee_no=body.employee_no)
    session.add(agent)
    set_skills(session, agent, body.skills)
    return {"id": agent.id, "name": agent.name, "skills": body.skills}


@router.put("/api/agents/{agent_id}/skills")
def set_agent_skills(
    agent_id: int,
    skills: dict[str, Annotated[int, Field(ge=1, le=5)]],
    session: SessionDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """Replace an agent's skills (admin)."""
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires role admin")
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    set_skills(session, agent, skills)
    return {"id": agent.id, "skills": skills}
