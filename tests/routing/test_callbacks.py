"""Callbacks in the database: due times, overdue, attempts, outcomes, assignment, what is ready to offer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from models import HotlineCall
from routing.callbacks import (
    CallbackError,
    CallbackNotFoundError,
    CallbackStateError,
    assign_callback,
    list_callbacks,
    overdue_count,
    read_callback,
    ready_to_offer,
    record_attempt,
    request_callback,
)
from tests.conftest import create_agent

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THREE_DAYS = timedelta(days=3)


def test_due_time_and_overdue(session: Session) -> None:
    default = request_callback(session, number="+44 20 7946 0000", now=NOW, due_in=THREE_DAYS)
    asked = request_callback(
        session, number="+1 555 0100", now=NOW, due_in=THREE_DAYS, due_at=NOW + timedelta(hours=2)
    )
    assert default.due_at == NOW + THREE_DAYS
    assert asked.due_at == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=3)
    views = {v.id: v for v in list_callbacks(session, now=later)}
    assert not views[default.id].overdue and views[asked.id].overdue
    # Soonest due first; the overdue filter keeps only the late one.
    assert [v.id for v in list_callbacks(session, now=later)][:2] == [asked.id, default.id]
    assert [v.id for v in list_callbacks(session, now=later, overdue_only=True)] == [asked.id]
    assert overdue_count(session, now=later) == 1
    with pytest.raises(CallbackError):
        request_callback(session, number="  ", now=NOW, due_in=THREE_DAYS)


def test_attempts_until_reached_or_given_up(session: Session) -> None:
    tom = create_agent(session)
    row = request_callback(session, number="+1 555 0101", now=NOW, due_in=THREE_DAYS)
    record_attempt(session, row.id, outcome="no_answer", agent_id=tom.id, now=NOW, max_attempts=2)
    view = read_callback(session, row.id, now=NOW)
    assert (view.status, view.attempts, view.outcome, view.agent_id) == ("open", 1, None, tom.id)
    assert view.last_attempt is not None and view.last_attempt.outcome == "no_answer"
    record_attempt(session, row.id, outcome="no_answer", agent_id=tom.id, now=NOW, max_attempts=2)
    view = read_callback(session, row.id, now=NOW + timedelta(days=5))
    assert (view.status, view.outcome, view.attempts) == ("done", "no_answer", 2)
    assert not view.overdue  # done: never overdue
    with pytest.raises(CallbackStateError):
        record_attempt(session, row.id, outcome="reached", agent_id=tom.id, now=NOW, max_attempts=2)

    reached = request_callback(session, number="+1 555 0102", now=NOW, due_in=THREE_DAYS)
    record_attempt(session, reached.id, outcome="reached", agent_id=None, now=NOW, max_attempts=3)
    assert read_callback(session, reached.id, now=NOW).outcome == "reached"
    closed = request_callback(session, number="+1 555 0103", now=NOW, due_in=THREE_DAYS)
    record_attempt(session, closed.id, outcome="closed", agent_id=None, now=NOW, max_attempts=3, note="paid")
    assert read_callback(session, closed.id, now=NOW).status == "done"
    with pytest.raises(CallbackError, match="outcome"):
        record_attempt(session, closed.id, outcome="maybe", agent_id=None, now=NOW, max_attempts=3)


def test_assignment_and_the_agents_list(session: Session) -> None:
    tom, ann = create_agent(session, "Tom"), create_agent(session, "Ann")
    mine = request_callback(session, number="+1 555 0104", now=NOW, due_in=THREE_DAYS, agent_id=tom.id)
    anyone = request_callback(session, number="+1 555 0105", now=NOW, due_in=THREE_DAYS)
    hers = request_callback(session, number="+1 555 0106", now=NOW, due_in=THREE_DAYS)
    assign_callback(session, hers.id, agent_id=ann.id)
    toms = list_callbacks(session, now=NOW, agent_id=tom.id, include_unassigned=True)
    assert [v.id for v in toms] == [mine.id, anyone.id]
    assert [v.id for v in list_callbacks(session, now=NOW, agent_id=ann.id)] == [hers.id]
    with pytest.raises(CallbackNotFoundError):
        assign_callback(session, anyone.id, agent_id=10**6)
    with pytest.raises(CallbackNotFoundError):
        assign_callback(session, 10**6, agent_id=tom.id)


def test_ready_to_offer_skips_assigned_live_and_recently_tried(session: Session) -> None:
    tom = create_agent(session)
    ready = request_callback(session, number="+1 555 0107", now=NOW, due_in=THREE_DAYS)
    request_callback(session, number="+1 555 0108", now=NOW, due_in=THREE_DAYS, agent_id=tom.id)
    tried = request_callback(session, number="+1 555 0109", now=NOW, due_in=THREE_DAYS)
    record_attempt(session, tried.id, outcome="no_answer", agent_id=None, now=NOW, max_attempts=3)
    live = HotlineCall(caller_number="+1 555 0110", state="waiting", arrived_at=NOW, skills={}, excluded=[])
    session.add(live)
    session.flush()
    queued = request_callback(
        session, number="+1 555 0110", now=NOW, due_in=THREE_DAYS, hotline_call_id=live.id
    )
    hour = timedelta(hours=1)
    assert [r.id for r in ready_to_offer(session, now=NOW, retry_after=hour)] == [ready.id]
    later = [r.id for r in ready_to_offer(session, now=NOW + hour, retry_after=hour)]
    assert later == [ready.id, tried.id]
    live.state = "ended"
    session.flush()
    assert queued.id in [r.id for r in ready_to_offer(session, now=NOW, retry_after=hour)]
