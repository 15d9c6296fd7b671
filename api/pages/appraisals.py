"""The appraisals page: an agent sees and submits their own self-evaluation; QA staff see everyone's, a
supervisor their team's; an admin or the team's supervisor submits the manager's evaluation; one agent's
report for a month as a printable page. The same service functions and role rules as /api/appraisals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from api.deps import IdPath, PageUser, ScorecardDep, SessionDep, SettingsDep
from api.pages.rendering import check_csrf, redirect, render
from api.routes.appraisals import may_evaluate_as_manager, period_reports, visible_agent
from scoring import appraisal

router = APIRouter()


@router.get("/appraisals", response_class=HTMLResponse)
def appraisals_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    card: ScorecardDep,
    settings: SettingsDep,
    period: str | None = None,
) -> HTMLResponse:
    period = appraisal.check_period(period or datetime.now(UTC).strftime("%Y-%m"))
    reports = period_reports(session, user, period, card, settings.appraisal_self_weight)
    return render(
        request,
        "appraisals.html",
        user,
        reports=reports,
        period=period,
        self_pct=round(settings.appraisal_self_weight * 100),
        evaluates={r.agent_id for r in reports if may_evaluate_as_manager(session, user, r.agent_id)},
    )


@router.get("/appraisals/{agent_id}/{period}", response_class=HTMLResponse)
def appraisal_print_page(
    agent_id: IdPath,
    period: str,
    request: Request,
    session: SessionDep,
    user: PageUser,
    card: ScorecardDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """One agent's appraisal for `period` on one printable page: each part as the agent, the manager and
    the measurement rated it, the totals, the combined appraisal and the comments (the page prints without
    the navigation). Who may see it: as GET /api/appraisals/{agent}/{period}."""
    agent = visible_agent(session, user, agent_id)
    report = appraisal.appraisal_report(
        session, agent, appraisal.check_period(period), card, self_weight=settings.appraisal_self_weight
    )
    return render(
        request,
        "appraisal_report.html",
        user,
        r=report,
        self_pct=round(settings.appraisal_self_weight * 100),
        printed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


@router.post("/appraisals/{agent_id}/{period}/{kind}")
def submit_evaluation(
    agent_id: IdPath,
    period: str,
    kind: str,
    session: SessionDep,
    request: Request,
    user: PageUser,
    csrf: Annotated[str, Form()],
    knowledge: Annotated[float, Form(ge=0, le=100)],
    skills: Annotated[float, Form(ge=0, le=100)],
    attitude: Annotated[float, Form(ge=0, le=100)],
    performance: Annotated[float, Form(ge=0, le=100)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf)
    allowed = (kind == "self" and user.agent_id == agent_id) or (
        kind == "manager" and may_evaluate_as_manager(session, user, agent_id)
    )
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your evaluation to give")
    try:
        appraisal.submit_evaluation(
            session,
            agent_id=agent_id,
            period=period,
            kind=kind,
            parts={
                "knowledge": knowledge,
                "skills": skills,
                "attitude": attitude,
                "performance": performance,
            },
            comment=comment,
            by_user_id=user.id,
            now=datetime.now(UTC),
        )
        said = f"{kind.capitalize()} evaluation for {period} saved"
    except appraisal.AppraisalExistsError as exc:
        said = str(exc)
    return redirect("/appraisals", period=period, msg=said)
