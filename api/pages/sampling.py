"""Sampling plans page: the plans a user may run with this period's progress, a form to add one, and per
plan "Draw now" and switch off/on. The same service functions as /api/sampling (scoring.sampling)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import IdPath, SessionDep, StaffPageUser, parse_id
from api.pages.rendering import check_csrf, redirect, render
from models import SAMPLING_PERIODS, SamplingPlan, Team, User
from scoring.exceptions import ReviewError
from scoring.sampling import create_plan, draw, may_run, plans_for, progress
from scoring.workflow import STAFF_ROLES

router = APIRouter()

PERIOD_WORDS = {"day": "per day", "week": "per week (from Monday)", "month": "per calendar month"}


def _plan(session: SessionDep, plan_id: int, user: User) -> SamplingPlan:
    plan = session.get(SamplingPlan, plan_id)
    if plan is None or not may_run(user, plan):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "sampling plan not found")
    return plan


def _number(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError as exc:
        raise ReviewError(f"{text!r} is not a number") from exc


@router.get("/sampling", response_class=HTMLResponse)
def sampling_page(request: Request, session: SessionDep, user: StaffPageUser) -> HTMLResponse:
    now = datetime.now(UTC)
    plans = plans_for(session, user)
    teams = list(session.scalars(select(Team).order_by(Team.name)))
    if user.role == "supervisor":
        teams = [t for t in teams if t.id == user.team_id]
    reviewers = [
        u
        for u in session.scalars(
            select(User).where(User.role.in_(STAFF_ROLES), User.active).order_by(User.username)
        )
        if user.role != "supervisor" or u.role != "supervisor" or u.team_id == user.team_id
    ]
    return render(
        request,
        "sampling.html",
        user,
        plans=[(p, progress(session, p, moment=now)) for p in plans],
        teams=teams,
        team_names={t.id: t.name for t in teams},
        reviewers=reviewers,
        user_names=dict(session.execute(select(User.id, User.username)).all()),
        periods=SAMPLING_PERIODS,
        period_words=PERIOD_WORDS,
        error=request.query_params.get("error", ""),
    )


@router.post("/sampling")
def add_plan(
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    csrf: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    reviewer_id: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
    calls_per_agent: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "week",
    max_score: Annotated[str, Form()] = "",
    min_duration_s: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        count = _number(calls_per_agent)
        plan = create_plan(
            session,
            by=user,
            name=name,
            reviewer_id=parse_id(reviewer_id),
            team_id=parse_id(team_id),
            calls_per_agent=int(count) if count is not None and count.is_integer() else 0,
            period=period,
            max_score=_number(max_score),
            min_duration_s=_number(min_duration_s),
        )
    except ReviewError as exc:  # shown beside the form it came from, not as an error document
        return redirect("/sampling", error=exc)
    return redirect("/sampling", msg=f"Plan {plan.name!r} added: draw it now or at the start of each period")


@router.post("/sampling/{plan_id}/draw")
def draw_plan(
    plan_id: IdPath, session: SessionDep, request: Request, user: StaffPageUser, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    plan = _plan(session, plan_id, user)
    name = plan.name
    try:
        drawn = draw(session, plan, moment=datetime.now(UTC), rng=random.Random())
    except ReviewError as exc:  # switched off meanwhile, or a draw at the same moment: said above the list
        session.rollback()
        return redirect("/sampling", error=exc)
    msg = f"{name}: {len(drawn)} calls drawn into the queue" if drawn else f"{name}: nothing more to draw"
    return redirect("/sampling", msg=msg)


@router.post("/sampling/{plan_id}/active")
def switch_plan(
    plan_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    csrf: Annotated[str, Form()],
    active: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    plan = _plan(session, plan_id, user)
    plan.active = active == "1"
    msg = f"{plan.name} switched {'on' if plan.active else 'off'}"
    return redirect("/sampling", msg=msg)
