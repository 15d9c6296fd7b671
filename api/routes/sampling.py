"""Sampling plans over JSON: staff list and add plans (a supervisor their team's), and draw a plan for
the current period (`POST .../draw`, e.g. from a scheduler at the start of each period). The same service
functions as the /sampling page (scoring.sampling)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, status

from api.deps import IdPath, SessionDep, StaffUser
from api.errors import ERROR_RESPONSES
from api.schemas_workspace import SamplingDrawRead, SamplingPlanCreate, SamplingPlanRead
from models import SamplingPlan, User
from scoring.sampling import create_plan, draw, may_run, plans_for, progress

router = APIRouter(prefix="/api/sampling", tags=["sampling"], responses=ERROR_RESPONSES)


def plan_read(session: SessionDep, plan: SamplingPlan, now: datetime) -> SamplingPlanRead:
    p = progress(session, plan, moment=now)
    return SamplingPlanRead.model_validate(
        {
            **{c: getattr(plan, c) for c in SamplingPlanCreate.model_fields},
            "id": plan.id,
            "active": plan.active,
            "period_start": p.start,
            "period_end": p.end,
            "drawn": p.drawn,
            "reviewed": p.reviewed,
            "target": p.target,
        }
    )


def _plan(session: SessionDep, plan_id: int, user: User) -> SamplingPlan:
    plan = session.get(SamplingPlan, plan_id)
    if plan is None or not may_run(user, plan):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "sampling plan not found")
    return plan


@router.get("/plans", response_model=list[SamplingPlanRead])
def plans(session: SessionDep, user: StaffUser) -> list[SamplingPlanRead]:
    """The plans the caller may run (qa and admin: all; a supervisor: their team's), active first."""
    now = datetime.now(UTC)
    return [plan_read(session, p, now) for p in plans_for(session, user)]


@router.post("/plans", status_code=status.HTTP_201_CREATED, response_model=SamplingPlanRead)
def add_plan(body: SamplingPlanCreate, session: SessionDep, user: StaffUser) -> SamplingPlanRead:
    plan = create_plan(session, by=user, **body.model_dump())
    return plan_read(session, plan, datetime.now(UTC))


@router.post("/plans/{plan_id}/draw", response_model=SamplingDrawRead)
def draw_plan(plan_id: IdPath, session: SessionDep, user: StaffUser) -> SamplingDrawRead:
    """Top every agent in scope up to the plan's N for the current period (409 when switched off or when
    a concurrent draw took a slot first: draw again)."""
    plan = _plan(session, plan_id, user)
    now = datetime.now(UTC)
    drawn = draw(session, plan, moment=now, rng=random.Random())
    return SamplingDrawRead(plan=plan_read(session, plan, now), review_ids=[r.id for r in drawn])
