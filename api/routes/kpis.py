"""KPIs (definitions: `routing/kpis.py`) and the feedback they need: the caller's post-call survey digit,
sent by the PBX/IVR like the other hotline events, and the agent's disposition of a call they answered.

`GET /api/kpis`: QA and admins for the center, any agent or team; a supervisor for the center, their team and
its agents; an agent for themselves only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, status
from pydantic import AwareDatetime

from api.deps import STAFF_ROLES, CurrentUser, HotlineClient, HotlineDep, IdPath, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.schemas import DispositionCreate, SurveyDigit
from callqa.services import kpis as kpi_service
from routing import kpis
from routing.kpis import KpiReport
from scoring.workflow import may_see_agent

router = APIRouter(tags=["kpis"], responses=ERROR_RESPONSES)

DEFAULT_PERIOD = timedelta(days=30)
"""The period `GET /api/kpis` covers without `since`: the last 30 days."""


@router.post("/api/hotline/calls/{call_id}/survey", status_code=status.HTTP_204_NO_CONTENT)
def survey(call_id: IdPath, body: SurveyDigit, session: SessionDep, client: HotlineClient) -> None:
    """The caller's post-call survey digit (1 poor … 5 excellent), once the call ended; one per call."""
    if client is not None and client.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role admin")
    kpis.record_survey(session, call_id, digit=body.digit, now=datetime.now(UTC))


@router.put("/api/hotline/calls/{call_id}/disposition", status_code=status.HTTP_204_NO_CONTENT)
def disposition(call_id: IdPath, body: DispositionCreate, session: SessionDep, user: CurrentUser) -> None:
    """The agent who answered the call (or staff) says whether the need was met and whether the caller
    complained; given again, it replaces the earlier one."""
    if user.role not in STAFF_ROLES and kpis.handled_by(session, call_id) != user.agent_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "hotline call not found")
    kpis.record_disposition(
        session,
        call_id,
        resolved=body.resolved,
        complaint=body.complaint,
        agent_id=user.agent_id,
        now=datetime.now(UTC),
    )


@router.get("/api/kpis", response_model=KpiReport)
def center_kpis(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    hotline: HotlineDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
) -> KpiReport:
    """Offered, answered, abandonment, ASA, service level, satisfaction, first-contact resolution and
    complaint rate for calls arriving in [since, until) (default: the last 30 days), for the center, one
    agent or one team (staff)."""
    if user.role not in STAFF_ROLES:
        if agent_id not in (None, user.agent_id) or team_id is not None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
        agent_id = user.agent_id
    if user.role == "supervisor" and (
        (agent_id is not None and not may_see_agent(session, user, agent_id))
        or (team_id is not None and team_id != user.team_id)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not one of your team's")
    if agent_id is not None and team_id is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give agent_id or team_id, not both")
    now = datetime.now(UTC)
    end = until or now
    return kpi_service.center_kpis(
        session,
        settings,
        since=since or end - DEFAULT_PERIOD,
        until=end,
        now=now,
        sl_target_s=hotline.config.sl_target_s,
        agent_id=agent_id,
        team_id=team_id,
    )
