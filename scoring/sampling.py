"""Sampling plans: N calls per agent per period, drawn uniformly at random from the period's eligible
calls into the review queue for one reviewer (scoring.review's flagging handles calls a rule flagged).

A draw tops each agent up to the plan's N for the period: drawing again in the same period adds only what
is missing, and calls that arrived since. Slots (1..N per agent and period) are unique in the database, so
two draws at once never exceed N. While any plan is active, the global weekly quota samples nothing
(`has_active_plan`). `draw_active_plans` is what a scheduler (the worker's periodic work, `callqa sample`)
runs. Functions flush; the caller commits.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    SAMPLING_PERIODS,
    Agent,
    Call,
    PlanSample,
    Recording,
    Review,
    SamplingPlan,
    TeamMember,
    User,
)
from models import CallScore as CallScoreRow
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.workflow import STAFF_ROLES, may_see_agent, sees_all

PLAN_REASON = "random sample"
"""Drawn reviews' reason starts like the global quota's, so the queue's "random sample" filter finds both."""


def period_window(period: str, moment: datetime) -> tuple[datetime, datetime]:
    """The UTC period (`day`, `week` from Monday, `month`) holding `moment`: [start, end)."""
    moment = moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if period == "month":
        start = day.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    raise ReviewError(f"period is one of {', '.join(SAMPLING_PERIODS)}")


def plans_for(session: Session, user: User) -> list[SamplingPlan]:
    """The plans `user` may see and run: every plan for QA and admins, their team's for a supervisor."""
    query = select(SamplingPlan).order_by(SamplingPlan.active.desc(), SamplingPlan.name, SamplingPlan.id)
    if sees_all(user):
        return list(session.scalars(query))
    if user.role == "supervisor" and user.team_id is not None:
        return list(session.scalars(query.where(SamplingPlan.team_id == user.team_id)))
    return []


def may_run(user: User, plan: SamplingPlan) -> bool:
    """Whether `user` may see, draw or switch `plan` (a supervisor only their own team's)."""
    return sees_all(user) or (
        user.role == "supervisor" and user.team_id is not None and plan.team_id == user.team_id
    )


def create_plan(
    session: Session,
    *,
    by: User,
    name: str,
    reviewer_id: int | None,
    team_id: int | None,
    calls_per_agent: int,
    period: str,
    max_score: float | None = None,
    min_duration_s: float | None = None,
) -> SamplingPlan:
    """A new active plan. A supervisor may plan only for their own team; the reviewer must be an active
    QA, supervisor or admin user who may see the team's calls. ReviewError says what does not fit."""
    name = name.strip()
    if not name:
        raise ReviewError("give the plan a name")
    if period not in SAMPLING_PERIODS:
        raise ReviewError(f"period is one of {', '.join(SAMPLING_PERIODS)}")
    if not 1 <= calls_per_agent <= 100:
        raise ReviewError("calls per agent is between 1 and 100")
    if max_score is not None and not 0 <= max_score <= 100:
        raise ReviewError("the highest score is between 0 and 100")
    if min_duration_s is not None and min_duration_s < 0:
        raise ReviewError("the shortest duration is 0 seconds or more")
    if by.role == "supervisor" and (by.team_id is None or team_id != by.team_id):
        raise ReviewError("a supervisor plans for their own team only")
    if by.role not in STAFF_ROLES:
        raise ReviewError("only QA staff, supervisors and admins make sampling plans")
    if reviewer_id is not None:
        reviewer = session.get(User, reviewer_id)
        if reviewer is None or reviewer.role not in STAFF_ROLES or not reviewer.active:
            raise ReviewError("the reviewer is an active qa, supervisor or admin user")
        if reviewer.role == "supervisor" and reviewer.team_id != team_id:
            raise ReviewError(f"{reviewer.username} supervises another team")
    plan = SamplingPlan(
        name=name,
        reviewer_id=reviewer_id,
        team_id=team_id,
        calls_per_agent=calls_per_agent,
        period=period,
        max_score=max_score,
        min_duration_s=min_duration_s,
        created_by=by.id,
    )
    session.add(plan)
    session.flush()
    return plan


def has_active_plan(session: Session) -> bool:
    """Whether any sampling plan is active (then the global weekly quota samples nothing)."""
    return bool(session.scalar(select(exists().where(SamplingPlan.active))))


def _scope(session: Session, plan: SamplingPlan) -> list[int]:
    if plan.team_id is not None:
        query = select(TeamMember.agent_id).where(TeamMember.team_id == plan.team_id)
    else:
        query = select(Agent.id)
    return sorted(session.scalars(query))


def draw(session: Session, plan: SamplingPlan, *, moment: datetime, rng: random.Random) -> list[Review]:
    """Top each agent in the plan's scope up to `calls_per_agent` drawn calls for the period holding
    `moment`, chosen with `rng` among the eligible calls (started in the period, scored, not in the queue,
    within the plan's rule). Returns the new reviews, assigned to the plan's reviewer while they may see
    the agent's calls. Raises ReviewStateError when a concurrent draw of the plan took a slot first (the
    session must be rolled back; drawing again is safe)."""
    if not plan.active:
        raise ReviewStateError(f"plan {plan.name!r} is switched off")
    # Draws of one plan take turns (the plan's row is locked until the caller commits): on PostgreSQL two
    # concurrent draws inserting the same slots in other orders deadlocked, and the user got a 503.
    session.refresh(plan, with_for_update=True)
    start, end = period_window(plan.period, moment)
    agents = _scope(session, plan)
    if not agents:
        return []
    taken: dict[int, int] = {
        agent_id: slot
        for agent_id, slot in session.execute(
            select(PlanSample.agent_id, func.max(PlanSample.slot))
            .where(PlanSample.plan_id == plan.id, PlanSample.period_start == start)
            .group_by(PlanSample.agent_id)
        )
    }
    eligible = (
        select(Call.id, Call.agent_id, CallScoreRow.total)
        .join(CallScoreRow, CallScoreRow.call_id == Call.id)
        .where(
            Call.agent_id.in_(agents),
            Call.started_at >= start,
            Call.started_at < end,
            ~exists().where(Review.call_id == Call.id),
        )
        .order_by(Call.id)
    )
    if plan.max_score is not None:
        eligible = eligible.where(CallScoreRow.total <= plan.max_score)
    if plan.min_duration_s is not None:
        eligible = eligible.join(Recording, Recording.call_id == Call.id).where(
            Recording.duration_s >= plan.min_duration_s
        )
    by_agent: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for call_id, agent_id, total in session.execute(eligible):
        if agent_id is not None:  # always: the query asks for agents in scope
            by_agent[agent_id].append((call_id, total))
    reviewer = session.get(User, plan.reviewer_id) if plan.reviewer_id is not None else None
    now = datetime.now(UTC)
    plan_name = plan.name  # read now: after a failed flush the session can load nothing more
    drawn: list[Review] = []
    try:
        for agent_id in agents:
            need = plan.calls_per_agent - taken.get(agent_id, 0)
            calls = by_agent.get(agent_id, [])
            if need <= 0 or not calls:
                continue
            assignee = (
                reviewer.id
                if reviewer is not None and reviewer.active and may_see_agent(session, reviewer, agent_id)
                else None
            )
            for n, (call_id, total) in enumerate(rng.sample(calls, min(need, len(calls))), start=1):
                review = Review(
                    call_id=call_id,
                    reasons=[f"{PLAN_REASON}: {plan_name}"],
                    sampled=True,
                    severity=0,
                    machine_total=total,
                    assignee_id=assignee,
                    flagged_at=now,
                )
                session.add(review)
                session.flush()
                session.add(
                    PlanSample(
                        plan_id=plan.id,
                        agent_id=agent_id,
                        period_start=start,
                        slot=taken.get(agent_id, 0) + n,
                        review_id=review.id,
                        drawn_at=now,
                    )
                )
                drawn.append(review)
        session.flush()
    except IntegrityError as exc:  # a concurrent draw took a slot, or a call was queued meanwhile
        raise ReviewStateError(f"another draw of {plan_name!r} ran at the same moment; draw again") from exc
    return drawn


@dataclass(frozen=True)
class PlanProgress:
    """A plan in the period holding a moment: calls drawn and reviewed, of `target` (N × agents in scope)."""

    start: datetime
    end: datetime
    drawn: int
    reviewed: int
    target: int


def progress(session: Session, plan: SamplingPlan, *, moment: datetime) -> PlanProgress:
    """How far `plan` is in the period holding `moment`."""
    start, end = period_window(plan.period, moment)
    drawn, reviewed = session.execute(
        select(func.count(PlanSample.id), func.count(Review.reviewed_at))
        .join(Review, Review.id == PlanSample.review_id)
        .where(PlanSample.plan_id == plan.id, PlanSample.period_start == start)
    ).one()
    return PlanProgress(start, end, drawn, reviewed, plan.calls_per_agent * len(_scope(session, plan)))


@dataclass(frozen=True)
class PlanDraw:
    """One plan's draw for one period: reviews added, or why it drew nothing this time (`error`)."""

    plan_id: int
    plan_name: str
    period_start: datetime
    drawn: int
    error: str | None = None


def draw_active_plans(
    session: Session, *, moment: datetime, rng: random.Random, previous: bool = False
) -> list[PlanDraw]:
    """Draw every active plan for the period holding `moment`, each draw in a savepoint of its own so that
    one colliding with a concurrent draw (its PlanDraw carries the error; the next run tops it up) does not
    undo the others. `previous`: first top up each plan's period before, when the plan existed then, so
    that a call started at its end but scored after it (a queue backlog) is still drawn for its period."""
    plans = list(session.scalars(select(SamplingPlan).where(SamplingPlan.active).order_by(SamplingPlan.id)))
    done: list[PlanDraw] = []
    for plan in plans:
        plan_id, plan_name = plan.id, plan.name  # read now: a failed draw's rollback expires the plan
        current, _ = period_window(plan.period, moment)
        moments = [moment]
        if previous and plan.created_at < current:
            moments.insert(0, current - timedelta(microseconds=1))
        for at in moments:
            start, _ = period_window(plan.period, at)
            try:
                with session.begin_nested():
                    drawn = len(draw(session, plan, moment=at, rng=rng))
            except ReviewStateError as exc:
                done.append(PlanDraw(plan_id, plan_name, start, 0, str(exc)))
                continue
            done.append(PlanDraw(plan_id, plan_name, start, drawn))
    return done
