"""The QA workflow over JSON: review queue, reviewer verdicts, disputes, agreement, team overview.

`qa`, `supervisor` and `admin` work the queue and resolve disputes (a supervisor only for their team's
agents: anything else answers 404 as if missing); an `agent` files disputes on their own calls. Another
agent's call answers 404. Workflow errors (`ReviewError`, `ReviewStateError`) are mapped to
422/409 in `api/errors.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from api.deps import MAX_ID, CurrentUser, IdPath, ScorecardDep, SessionDep, StaffUser, VisibleCall
from api.errors import ERROR_RESPONSES
from api.schemas import (
    AgentSummaryRead,
    AssignIn,
    DisputeIn,
    DisputeRead,
    ItemAgreementRead,
    OverviewRead,
    QueueEntryRead,
    ResolveIn,
    ReviewIn,
    ReviewRead,
)
from models import Call, Dispute, Review, User
from scoring.aggregates import team_overview
from scoring.disputes import open_dispute, resolve_dispute
from scoring.queue import assign, list_queue
from scoring.review import Decision, agreement, submit_review
from scoring.workflow import may_see_agent, visible_agent_ids

router = APIRouter(tags=["reviews"], responses=ERROR_RESPONSES)


def _agent_of(session: SessionDep, call_id: int) -> int | None:
    return session.scalar(select(Call.agent_id).where(Call.id == call_id))


def _review(session: SessionDep, review_id: int, user: User) -> Review:
    review = session.get(Review, review_id)
    if review is None or not may_see_agent(session, user, _agent_of(session, review.call_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "review not found")
    return review


@router.get("/api/reviews", response_model=list[QueueEntryRead])
def review_queue(
    session: SessionDep,
    user: StaffUser,
    state: str = "open",
    mine: bool = False,
    agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[QueueEntryRead]:
    """The queue, most severe first, then oldest."""
    rows = list_queue(
        session,
        state=state,
        assignee_id=user.id if mine else None,
        agent_id=agent_id,
        agent_ids=visible_agent_ids(session, user),
    )
    return [QueueEntryRead(**ReviewRead.of(r).model_dump(), agent_id=c.agent_id) for r, c in rows]


@router.get("/api/reviews/agreement", response_model=dict[str, ItemAgreementRead])
def review_agreement(session: SessionDep, _user: StaffUser) -> dict[str, ItemAgreementRead]:
    """Per scorecard item: how often reviewers agreed with the machine (basis for tuning rules)."""
    return {item: ItemAgreementRead.model_validate(s) for item, s in agreement(session).items()}


@router.get("/api/reviews/{review_id}", response_model=ReviewRead)
def get_review(review_id: IdPath, session: SessionDep, user: StaffUser) -> ReviewRead:
    return ReviewRead.of(_review(session, review_id, user))


@router.post("/api/reviews/{review_id}/assign", response_model=ReviewRead)
def assign_review(review_id: IdPath, body: AssignIn, session: SessionDep, user: StaffUser) -> ReviewRead:
    """Give the review to an active qa, supervisor (of the call's team) or admin user; 422 otherwise."""
    return ReviewRead.of(assign(session, _review(session, review_id, user), body.user_id, by=user))


@router.post("/api/reviews/{review_id}", response_model=ReviewRead)
def post_review(
    review_id: IdPath, body: ReviewIn, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> ReviewRead:
    """Confirm or override verdicts; the final score uses the human ones."""
    review = _review(session, review_id, user)
    decisions = {k: Decision(v.passed, v.comment) for k, v in body.decisions.items()}
    submit_review(session, review, reviewer_id=user.id, decisions=decisions, scorecard=card)
    return ReviewRead.of(review)


@router.post("/api/calls/{call_id}/disputes", status_code=status.HTTP_201_CREATED, response_model=DisputeRead)
def file_dispute(call: VisibleCall, body: DisputeIn, session: SessionDep, user: CurrentUser) -> DisputeRead:
    """An agent disputes one item of their own call's evaluation."""
    if user.role != "agent":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the agent who handled the call can dispute it")
    dispute = open_dispute(session, call=call, item=body.item, author_id=user.id, comment=body.comment)
    return DisputeRead.model_validate(dispute)


@router.get("/api/disputes", response_model=list[DisputeRead])
def list_disputes(session: SessionDep, user: CurrentUser, state: str = "open") -> list[DisputeRead]:
    """Staff see every dispute (a supervisor their team's); an agent sees the ones they filed."""
    stmt = select(Dispute).where(Dispute.state == state).order_by(Dispute.created_at)
    if user.role == "agent":
        stmt = stmt.where(Dispute.author_id == user.id)
    scope = visible_agent_ids(session, user)
    if user.role != "agent" and scope is not None:
        stmt = stmt.join(Call, Call.id == Dispute.call_id).where(Call.agent_id.in_(scope))
    return [DisputeRead.model_validate(d) for d in session.scalars(stmt)]


@router.post("/api/disputes/{dispute_id}/resolve", response_model=DisputeRead)
def resolve(
    dispute_id: IdPath, body: ResolveIn, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> DisputeRead:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or not may_see_agent(session, user, _agent_of(session, dispute.call_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dispute not found")
    resolve_dispute(
        session, dispute, resolver_id=user.id, upheld=body.upheld, resolution=body.resolution, scorecard=card
    )
    return DisputeRead.model_validate(dispute)


@router.get("/api/overview", response_model=OverviewRead)
def overview(session: SessionDep, user: StaffUser, card: ScorecardDep) -> OverviewRead:
    """Supervisor view: agents ranked by 30-day score, team item pass rates, queue counts (a supervisor's
    own team only)."""
    team = team_overview(session, card, agent_ids=visible_agent_ids(session, user))
    return OverviewRead(
        agents=[AgentSummaryRead.model_validate(s.to_dict()) for s in team.ranked],
        item_pass_rates={k: round(v, 3) for k, v in team.item_pass_rates.items()},
        flagged_open=team.flagged_open,
        disputes_open=team.disputes_open,
    )
