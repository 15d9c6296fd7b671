"""The KPIs page: the center and each agent over a period (definitions: routing/kpis.py). Staff see
everyone; an agent sees the center line and their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import STAFF_ROLES, HotlineDep, PageUser, SessionDep, SettingsDep
from api.pages.rendering import render
from models import Agent
from routing.kpis import KpiReport, compute_kpis

router = APIRouter()


@router.get("/kpis", response_class=HTMLResponse)
def kpis_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    hotline: HotlineDep,
    days: int = 30,
) -> HTMLResponse:
    now = datetime.now(UTC)
    days = max(1, min(days, 366))

    def report(agent_id: int | None) -> KpiReport:
        return compute_kpis(
            session,
            since=now - timedelta(days=days),
            until=now,
            now=now,
            fcr_window=timedelta(days=settings.fcr_window_days),
            sl_target_s=hotline.config.sl_target_s,
            satisfied_from=settings.csat_satisfied_from,
            agent_id=agent_id,
        )

    query = select(Agent).where(Agent.active).order_by(Agent.name)
    if user.role not in STAFF_ROLES:
        query = query.where(Agent.id == user.agent_id)
    agents = list(session.scalars(query))
    rows = [("Whole center", report(None))] + [(a.name, report(a.id)) for a in agents]
    return render(
        request,
        "kpis.html",
        user,
        rows=rows,
        days=days,
        fcr_days=settings.fcr_window_days,
        satisfied_from=settings.csat_satisfied_from,
    )
