"""An agent's scores (their own, or any for staff), manual monthly scores, and the team overview."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import (
    HotlineDep,
    IdPath,
    PageUser,
    ScorecardDep,
    SessionDep,
    SettingsDep,
    StaffPageUser,
    check_agent_scope,
)
from api.pages.callbacks import overdue_for
from api.pages.charts import trend_svg
from api.pages.desk import desk_context
from api.pages.kpis import kpi_report
from api.pages.rendering import check_csrf, redirect, render
from callqa.services.hotline import Hotline
from callqa.settings import Settings
from models import Agent, User
from scoring.aggregates import agent_summaries, set_manual_scores, team_overview
from scoring.review import agreement
from scoring.scorecard import Scorecard
from scoring.workflow import visible_agent_ids

router = APIRouter()

OVERVIEW_KPI_DAYS = 30
"""The overview and an agent's page show KPIs over this many days (the KPIs page takes any period)."""


def _agent_page(
    request: Request,
    session: Session,
    card: Scorecard,
    settings: Settings,
    hotline: Hotline,
    user: User,
    agent_id: int,
    **desk: Any,
) -> HTMLResponse:
    """Agent `agent_id`'s scores and their own hotline KPIs (the calls they answered; the caller checked
    that `user` may see this agent: an agent only themselves); `desk`: their live calls (own page only)."""
    summary = agent_summaries(session, card).get(agent_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return render(
        request,
        "agent.html",
        user,
        summary=summary,
        own=user.agent_id == agent_id,
        trend_svg=trend_svg(summary.series),
        kpis=kpi_report(session, settings, hotline, days=OVERVIEW_KPI_DAYS, agent_id=agent_id),
        kpi_days=OVERVIEW_KPI_DAYS,
        **desk,
    )


@router.get("/me", response_class=HTMLResponse)
def my_scores(
    request: Request,
    session: SessionDep,
    user: PageUser,
    card: ScorecardDep,
    settings: SettingsDep,
    hotline: HotlineDep,
) -> HTMLResponse:
    if user.role != "agent" or user.agent_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no agent linked to this login")
    desk = desk_context(hotline, user.agent_id)
    return _agent_page(request, session, card, settings, hotline, user, user.agent_id, **desk)


@router.get("/agents/{agent_id}", response_class=HTMLResponse)
def agent_page(
    agent_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    card: ScorecardDep,
    settings: SettingsDep,
    hotline: HotlineDep,
) -> HTMLResponse:
    check_agent_scope(user, agent_id)
    return _agent_page(request, session, card, settings, hotline, user, agent_id)


@router.post("/agents/{agent_id}/manual")
def manual_scores_form(
    agent_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    csrf: Annotated[str, Form()],
    knowledge: Annotated[str, Form()] = "",
    performance: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    check_agent_scope(user, agent_id)
    if session.get(Agent, agent_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    try:
        values = [None if not v else float(v) for v in (knowledge, performance)]
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "scores are numbers 0–100") from exc
    # NaN compares false with everything, so it fails this range check too.
    if any(v is not None and not 0 <= v <= 100 for v in values):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "scores are numbers 0–100")
    set_manual_scores(
        session,
        agent_id=agent_id,
        month=datetime.now(UTC).strftime("%Y-%m"),
        knowledge=values[0],
        performance=values[1],
        entered_by=user.id,
    )
    return redirect(f"/agents/{agent_id}", msg="Manual scores saved")


@router.get("/overview", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: SessionDep,
    user: StaffPageUser,
    card: ScorecardDep,
    settings: SettingsDep,
    hotline: HotlineDep,
) -> HTMLResponse:
    team = team_overview(session, card, agent_ids=visible_agent_ids(session, user))
    # A supervisor's KPI cards are their team's, like the rest of their overview.
    kpi_team = user.team_id if user.role == "supervisor" else None
    return render(
        request,
        "overview.html",
        user,
        summaries=team.ranked,
        item_rates=team.item_pass_rates,
        flagged=team.flagged_open,
        disputes=team.disputes_open,
        agreement=agreement(session),
        kpis=kpi_report(session, settings, hotline, days=OVERVIEW_KPI_DAYS, team_id=kpi_team),
        kpi_scope="Your team's KPIs" if kpi_team is not None else "Center KPIs",
        kpi_days=OVERVIEW_KPI_DAYS,
        callbacks_overdue=overdue_for(session, user, now=datetime.now(UTC)),
    )
