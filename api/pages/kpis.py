"""The KPIs page: the center, each team and each agent over a period (definitions: routing/kpis.py).
QA and admins see everyone, a supervisor their team and its agents; an agent the center line and their
own. `kpi_report` serves the other pages that show KPIs (the overview)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import STAFF_ROLES, HotlineDep, PageUser, SessionDep, SettingsDep
from api.pages.rendering import render
from callqa.services.hotline import Hotline
from callqa.services.kpis import center_kpis
from callqa.settings import Settings
from models import Agent
from routing.kpis import KpiReport
from routing.teams import list_teams
from scoring.workflow import visible_agent_ids

router = APIRouter()


def kpi_report(
    session: Session,
    settings: Settings,
    hotline: Hotline,
    *,
    days: int,
    agent_id: int | None = None,
    team_id: int | None = None,
) -> KpiReport:
    """The KPIs of the last `days` days for the center, one agent or one team, as every page shows them."""
    now = datetime.now(UTC)
    return center_kpis(
        session,
        settings,
        since=now - timedelta(days=days),
        until=now,
        now=now,
        sl_target_s=hotline.config.sl_target_s,
        agent_id=agent_id,
        team_id=team_id,
    )


@router.get("/kpis", response_class=HTMLResponse)
def kpis_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    hotline: HotlineDep,
    days: int = 30,
) -> HTMLResponse:
    days = max(1, min(days, 366))
    query = select(Agent).where(Agent.active).order_by(Agent.name)
    scope = visible_agent_ids(session, user)
    if scope is not None:
        query = query.where(Agent.id.in_(scope))
    rows = [("Whole center", kpi_report(session, settings, hotline, days=days))]
    if user.role in STAFF_ROLES:
        rows += [
            (f"Team {t.name}", kpi_report(session, settings, hotline, days=days, team_id=t.id))
            for t in list_teams(session)
            if user.role != "supervisor" or t.id == user.team_id
        ]
    rows += [
        (a.name, kpi_report(session, settings, hotline, days=days, agent_id=a.id))
        for a in session.scalars(query)
    ]
    return render(
        request,
        "kpis.html",
        user,
        rows=rows,
        days=days,
        fcr_days=settings.fcr_window_days,
        satisfied_from=settings.csat_satisfied_from,
    )
