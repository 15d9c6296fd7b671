"""Appraisals (definitions: `scoring/appraisal.py`): an agent submits their own self-evaluation for a
period, an admin or the agent's team supervisor the manager's evaluation; each once (409 on a second).
Reading: an agent their own appraisal only, a supervisor their team's, QA staff and admins everyone's (also
as CSV).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import Response

from api.deps import (
    CurrentUser,
    IdPath,
    ScorecardDep,
    SessionDep,
    SettingsDep,
    StaffUser,
)
from api.errors import ERROR_RESPONSES
from api.schemas_center import EvaluationIn
from models import Agent, User
from scoring import appraisal
from scoring.appraisal import AppraisalReport
from scoring.workflow import may_see_agent, visible_agent_ids

router = APIRouter(prefix="/api/appraisals", tags=["appraisals"], responses=ERROR_RESPONSES)


def visible_agent(session: SessionDep, user: User, agent_id: int) -> Agent:
    """The agent `user` may see (their own; a supervisor their team's; QA, admins anyone), else 404."""
    agent = session.get(Agent, agent_id)
    if agent is None or not may_see_agent(session, user, agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return agent


def may_evaluate_as_manager(session: SessionDep, user: User, agent_id: int) -> bool:
    """An admin, or the supervisor of the agent's team, gives the manager's evaluation."""
    return user.role == "admin" or (user.role == "supervisor" and may_see_agent(session, user, agent_id))


def period_reports(
    session: SessionDep, user: User, period: str, card: ScorecardDep, self_weight: float
) -> list[AppraisalReport]:
    """The appraisals for `period` that `user` may see: everyone's for QA and admins, a supervisor's team's,
    an agent's own."""
    scope = visible_agent_ids(session, user)
    return appraisal.list_appraisals(session, period, card, self_weight=self_weight, agent_ids=scope)


@router.get("", response_model=list[AppraisalReport])
def list_appraisals(
    period: str, session: SessionDep, user: CurrentUser, card: ScorecardDep, settings: SettingsDep
) -> list[AppraisalReport]:
    """The period's (YYYY-MM) appraisals: every active agent for staff, an agent their own."""
    return period_reports(session, user, period, card, settings.appraisal_self_weight)


@router.get("/export.csv", response_class=Response)
def export_appraisals(
    period: str, session: SessionDep, user: StaffUser, card: ScorecardDep, settings: SettingsDep
) -> Response:
    """The period's appraisals as CSV, one row per agent (staff)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agent_id", "name", "period", "self", "manager", "combined", "composite"])
    for r in period_reports(session, user, period, card, settings.appraisal_self_weight):
        own, manager = r.self_evaluation, r.manager_evaluation
        writer.writerow(
            [
                r.agent_id,
                r.name,
                r.period,
                own.total if own else "",
                manager.total if manager else "",
                "" if r.combined is None else r.combined,
                "" if r.composite["composite"] is None else r.composite["composite"],
            ]
        )
    headers = {"Content-Disposition": f'attachment; filename="appraisals-{period}.csv"'}
    return Response(out.getvalue(), media_type="text/csv", headers=headers)


@router.get("/{agent_id}/{period}", response_model=AppraisalReport)
def get_appraisal(
    agent_id: IdPath,
    period: str,
    session: SessionDep,
    user: CurrentUser,
    card: ScorecardDep,
    settings: SettingsDep,
) -> AppraisalReport:
    """One agent's appraisal for `period`: both evaluations, the combined figure, the measured composite."""
    agent = visible_agent(session, user, agent_id)
    return appraisal.appraisal_report(
        session, agent, period, card, self_weight=settings.appraisal_self_weight
    )


@router.post("/{agent_id}/{period}/self", status_code=status.HTTP_201_CREATED, response_model=AppraisalReport)
def submit_self(
    agent_id: IdPath,
    period: str,
    body: EvaluationIn,
    session: SessionDep,
    user: CurrentUser,
    card: ScorecardDep,
    settings: SettingsDep,
) -> AppraisalReport:
    """The agent's own self-evaluation for `period` (only theirs); 409 when already submitted."""
    if user.agent_id != agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the agent themselves submits a self-evaluation")
    return _submit(session, user, agent_id, period, "self", body, card, settings.appraisal_self_weight)


@router.post(
    "/{agent_id}/{period}/manager", status_code=status.HTTP_201_CREATED, response_model=AppraisalReport
)
def submit_manager(
    agent_id: IdPath,
    period: str,
    body: EvaluationIn,
    session: SessionDep,
    user: CurrentUser,
    card: ScorecardDep,
    settings: SettingsDep,
) -> AppraisalReport:
    """The manager's evaluation of the agent for `period` (an admin, or the supervisor of the agent's team);
    409 when already submitted."""
    if not may_evaluate_as_manager(session, user, agent_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an admin or the agent's supervisor evaluates")
    return _submit(session, user, agent_id, period, "manager", body, card, settings.appraisal_self_weight)


def _submit(
    session: SessionDep,
    user: User,
    agent_id: int,
    period: str,
    kind: str,
    body: EvaluationIn,
    card: ScorecardDep,
    self_weight: float,
) -> AppraisalReport:
    agent = visible_agent(session, user, agent_id)
    appraisal.submit_evaluation(
        session,
        agent_id=agent_id,
        period=period,
        kind=kind,
        parts=body.parts(),
        comment=body.comment,
        by_user_id=user.id,
        now=datetime.now(UTC),
    )
    return appraisal.appraisal_report(session, agent, period, card, self_weight=self_weight)
