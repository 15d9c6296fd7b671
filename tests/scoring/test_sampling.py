"""Sampling plans on a real database: N calls per agent per period drawn at random into the queue for a
reviewer, by rule; drawing again tops up, never exceeds N; team scope; and the global quota stands down."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, PlanSample, Recording, Review, User
from routing.teams import create_team, set_members
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.review import flag_call
from scoring.sampling import (
    create_plan,
    draw,
    draw_active_plans,
    period_window,
    plans_for,
    progress,
)
from tests.conftest import create_agent, create_scored_call
from tests.scoring.test_review import GOOD, WEIGHTS

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def staff(session: Session, name: str, role: str = "qa", team_id: int | None = None) -> User:
    row = User(username=name, password_hash="-", role=role, team_id=team_id)
    session.add(row)
    session.flush()
    return row


def calls(
    session: Session, agent_id: int, n: int, *, start: datetime = MONDAY, **verdicts: bool
) -> list[Call]:
    made = []
    for i in range(n):
        call = create_scored_call(session, agent_id, {**GOOD, **verdicts}, at=start + timedelta(hours=i))
        session.add(
            Recording(
                call_id=call.id,
                path=f"r{call.id}.wav",
                format="wav",
                sample_rate=8000,
                channels=2,
                duration_s=60.0 * (i + 1),
                size_bytes=1,
                sha256=f"{call.id:064d}",
            )
        )
        made.append(call)
    session.flush()
    return made


def test_period_windows_are_utc_days_iso_weeks_and_months() -> None:
    sunday = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert period_window("week", sunday) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
    )
    assert period_window("month", sunday) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert period_window("day", sunday)[0] == datetime(2026, 11, 22, tzinfo=UTC)
    with pytest.raises(ReviewError):
        period_window("fortnight", sunday)


def test_a_plan_draws_n_calls_per_agent_tops_up_and_never_exceeds_n(session: Session) -> None:
    ann, bob = create_agent(session, "Ann S"), create_agent(session, "Bob S")
    qa = staff(session, "sampler")
    ann_calls, bob_calls = calls(session, ann.id, 5), calls(session, bob.id, 1)
    calls(session, ann.id, 3, start=MONDAY - timedelta(days=7))  # last week's: not this period's
    plan = create_plan(
        session, by=qa, name="Weekly two", reviewer_id=qa.id, team_id=None, calls_per_agent=2, period="week"
    )
    drawn = draw(session, plan, moment=MONDAY + timedelta(days=2), rng=random.Random(1))
    agent_of: dict[int, int | None] = {
        cid: aid for cid, aid in session.execute(select(Call.id, Call.agent_id))
    }
    by_agent = {a: [r for r in drawn if agent_of[r.call_id] == a] for a in (ann.id, bob.id)}
    assert len(by_agent[ann.id]) == 2 and len(by_agent[bob.id]) == 1  # Bob had only one call
    assert {r.call_id for r in by_agent[ann.id]} <= {c.id for c in ann_calls}
    assert by_agent[bob.id][0].call_id == bob_calls[0].id
    assert all(
        r.assignee_id == qa.id and r.sampled and r.reasons == ["random sample: Weekly two"] for r in drawn
    )
    # Again in the same week: Ann is full; Bob gets a call that arrived since.
    assert draw(session, plan, moment=MONDAY + timedelta(days=3), rng=random.Random(2)) == []
    late = calls(session, bob.id, 1, start=MONDAY + timedelta(days=4))
    [topped] = draw(session, plan, moment=MONDAY + timedelta(days=5), rng=random.Random(3))
    assert topped.call_id == late[0].id
    slots = session.execute(select(PlanSample.agent_id, PlanSample.slot).order_by(PlanSample.id)).all()
    assert sorted(slots) == [(ann.id, 1), (ann.id, 2), (bob.id, 1), (bob.id, 2)]
    got = progress(session, plan, moment=MONDAY)
    assert (got.drawn, got.reviewed, got.target) == (4, 0, 4)
    # Next week starts empty.
    assert progress(session, plan, moment=MONDAY + timedelta(days=7)).drawn == 0


def test_the_draw_is_uniform_over_the_period_not_the_first_calls(session: Session) -> None:
    # The global quota took the first calls of a week that won a coin toss; a plan draws from all of them.
    agent = create_agent(session, "Uma S")
    qa = staff(session, "uniform")
    made = calls(session, agent.id, 10)
    plan = create_plan(
        session, by=qa, name="One", reviewer_id=None, team_id=None, calls_per_agent=1, period="week"
    )
    seen = set()
    for seed in range(40):
        nested = session.begin_nested()
        [review] = draw(session, plan, moment=MONDAY, rng=random.Random(seed))
        seen.add(review.call_id)
        nested.rollback()
    assert len(seen) >= 8 and seen <= {c.id for c in made}


def test_rules_limit_the_calls_and_calls_already_queued_are_skipped(session: Session) -> None:
    agent = create_agent(session, "Vic S")
    qa = staff(session, "rules")
    low = calls(session, agent.id, 2, greeting=False, closing=False)  # 60 s and 120 s, low scores
    high = calls(session, agent.id, 2, start=MONDAY + timedelta(days=1))
    flagged = calls(session, agent.id, 1, start=MONDAY + timedelta(days=2), courtesy=False)
    assert flag_call(session, flagged[0], weights=WEIGHTS, sample_per_week=0, sample_rate=0.0) is not None
    plan = create_plan(
        session,
        by=qa,
        name="Low and long",
        reviewer_id=None,
        team_id=None,
        calls_per_agent=5,
        period="week",
        max_score=80,
        min_duration_s=90,
    )
    drawn = draw(session, plan, moment=MONDAY, rng=random.Random(0))
    assert [r.call_id for r in drawn] == [low[1].id]  # not the 60 s one, not the good ones, not the flagged
    assert high and all(r.assignee_id is None for r in drawn)


def test_team_scope_supervisors_and_the_global_quota(session: Session) -> None:
    team, other = create_team(session, "Sampling East"), create_team(session, "Sampling West")
    mine, theirs = create_agent(session, "Wen S"), create_agent(session, "Xia S")
    set_members(session, team.id, [mine.id])
    set_members(session, other.id, [theirs.id])
    lead = staff(session, "lead-s", "supervisor", team.id)
    qa = staff(session, "qa-s")
    with pytest.raises(ReviewError, match="own team"):
        create_plan(
            session, by=lead, name="All", reviewer_id=lead.id, team_id=None, calls_per_agent=1, period="week"
        )
    with pytest.raises(ReviewError, match="supervises another team"):
        create_plan(
            session, by=qa, name="W", reviewer_id=lead.id, team_id=other.id, calls_per_agent=1, period="week"
        )
    plan = create_plan(
        session, by=lead, name="East", reviewer_id=lead.id, team_id=team.id, calls_per_agent=1, period="day"
    )
    assert plans_for(session, lead) == [plan] and plans_for(session, qa) == [plan]
    assert plans_for(session, staff(session, "lead-w", "supervisor", other.id)) == []
    # With a plan active the global quota samples nothing, even at rate 1.
    [unflagged] = calls(session, theirs.id, 1)
    assert flag_call(session, unflagged, weights=WEIGHTS, sample_per_week=5, sample_rate=1.0) is None
    calls(session, mine.id, 2)
    [drawn] = draw(session, plan, moment=MONDAY, rng=random.Random(0))
    assert session.scalar(select(Call.agent_id).where(Call.id == drawn.call_id)) == mine.id
    assert drawn.assignee_id == lead.id
    plan.active = False
    with pytest.raises(ReviewStateError, match="switched off"):
        draw(session, plan, moment=MONDAY, rng=random.Random(0))
    session.flush()
    assert session.scalars(select(Review).where(Review.call_id == unflagged.id)).all() == []
    assert flag_call(session, unflagged, weights=WEIGHTS, sample_per_week=5, sample_rate=1.0) is not None


def test_the_scheduled_draw_tops_up_last_period_only_for_plans_that_existed_then(session: Session) -> None:
    # A call started on Sunday night and scored after midnight is drawn for its own week by the next run;
    # a plan made this week does not reach back into last week.
    agent = create_agent(session, "Wes S")
    qa = staff(session, "scheduler")
    sunday_night = calls(session, agent.id, 1, start=MONDAY + timedelta(days=6, hours=14, minutes=50))
    this_week = calls(session, agent.id, 1, start=MONDAY + timedelta(days=7, hours=1))
    old = create_plan(
        session, by=qa, name="Old", reviewer_id=None, team_id=None, calls_per_agent=1, period="week"
    )
    new = create_plan(
        session, by=qa, name="New", reviewer_id=None, team_id=None, calls_per_agent=2, period="week"
    )
    old.created_at = MONDAY - timedelta(days=30)
    new.created_at = MONDAY + timedelta(days=7)
    session.flush()
    moment = MONDAY + timedelta(days=7, hours=2)
    draws = draw_active_plans(session, moment=moment, rng=random.Random(0), previous=True)
    assert [(d.plan_name, d.period_start.day, d.drawn, d.error) for d in draws] == [
        ("Old", 16, 1, None),  # last week's late call
        ("Old", 23, 1, None),
        ("New", 23, 0, None),  # its one call this week went to "Old" first: a call is queued once
    ]
    sampled = sorted(session.scalars(select(Review.call_id).where(Review.sampled)))
    assert sampled == sorted([sunday_night[0].id, this_week[0].id])
    # Run again at once (a second worker, or the next interval): nothing more.
    again = draw_active_plans(session, moment=moment, rng=random.Random(1), previous=True)
    assert sum(d.drawn for d in again) == 0 and not any(d.error for d in again)
