"""Callbacks: promises to call a customer back by a due time, worked by agents, offered by the hotline.

Functions take a `Session` keyword-only and flush, never commit (the caller owns the transaction and the
clock: `now` is a tz-aware UTC datetime). Policy numbers (how long until due, how many unanswered tries
before giving up, how long between tries) come in as arguments from settings.

A callback is *overdue* while open past its due time. It is *ready* for the hotline to offer when open,
not assigned to a named agent, neither the call it was requested on nor its latest offer still live
(waiting, offered or talking), and `retry_after` gone by since the last of: its last try, and the end of
that call or offer (an agent who ended a callback call gets time to record its outcome before it comes
round again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from models import CALLBACK_OUTCOMES, Agent, Callback, CallbackAttempt, CallbackOffer, HotlineCall

LIVE_HOTLINE_STATES = ("waiting", "offered", "talking")


class CallbackError(ValueError):
    """A callback request or action that is invalid in itself (unknown outcome, bad number)."""


class CallbackNotFoundError(CallbackError):
    """No callback (or agent) with that id."""


class CallbackStateError(CallbackError):
    """An action that does not fit the callback's state (an attempt on a finished callback)."""


@dataclass(frozen=True)
class AttemptView:
    at: str
    agent_id: int | None
    outcome: str
    note: str | None


@dataclass(frozen=True)
class CallbackView:
    """A callback as agents and supervisors see it. Times are ISO-8601 UTC; `overdue`: open past its due
    time; `hotline_call_id`: the call it was requested on; `offer_call_id`: the hotline call of its latest
    offer; `offered_to`: the agent that call or the call it was requested on is with right now, if any."""

    id: int
    number: str
    requested_at: str
    due_at: str
    status: str
    overdue: bool
    outcome: str | None
    agent_id: int | None
    attempts: int
    last_attempt: AttemptView | None
    skills: dict[str, int]
    language: str
    note: str | None
    hotline_call_id: int | None
    offer_call_id: int | None
    offered_to: int | None
    closed_at: str | None


def request_callback(
    session: Session,
    *,
    number: str,
    now: datetime,
    due_in: timedelta,
    due_at: datetime | None = None,
    hotline_call_id: int | None = None,
    skills: dict[str, int] | None = None,
    language: str = "en",
    note: str | None = None,
    agent_id: int | None = None,
) -> Callback:
    """Record a callback to `number`, due at `due_at` or else `due_in` from `now`."""
    if not number.strip():
        raise CallbackError("a callback needs a number")
    due = due_at if due_at is not None else now + due_in
    if due.tzinfo is None:
        raise CallbackError("due time needs a time zone")
    if agent_id is not None and session.get(Agent, agent_id) is None:
        raise CallbackNotFoundError(f"agent {agent_id} not found")
    row = Callback(
        number=number.strip(),
        requested_at=now,
        due_at=due,
        skills=dict(skills or {}),
        language=language,
        note=note,
        agent_id=agent_id,
        hotline_call_id=hotline_call_id,
        status="open",
    )
    session.add(row)
    session.flush()
    return row


def get_callback(session: Session, callback_id: int) -> Callback:
    row = session.get(Callback, callback_id)
    if row is None:
        raise CallbackNotFoundError(f"callback {callback_id} not found")
    return row


def read_callback(session: Session, callback_id: int, *, now: datetime) -> CallbackView:
    """One callback's view (with the agent its hotline call is offered to, if any)."""
    row = get_callback(session, callback_id)
    return callback_view(row, now=now, offered_to=_offered_to(session, [row]).get(row.id))


def assign_callback(session: Session, callback_id: int, *, agent_id: int | None) -> Callback:
    """Give an open callback to `agent_id` (None: back to anyone)."""
    row = get_callback(session, callback_id)
    if row.status != "open":
        raise CallbackStateError(f"callback {callback_id} is {row.status}")
    if agent_id is not None and session.get(Agent, agent_id) is None:
        raise CallbackNotFoundError(f"agent {agent_id} not found")
    row.agent_id = agent_id
    session.flush()
    return row


def record_attempt(
    session: Session,
    callback_id: int,
    *,
    outcome: str,
    agent_id: int | None,
    now: datetime,
    max_attempts: int,
    note: str | None = None,
) -> Callback:
    """One try and its outcome. `reached` or `closed` ends the callback; `no_answer` leaves it open unless
    it is the `max_attempts`-th unanswered try, which ends it as `no_answer`. The agent who tried keeps
    the callback."""
    if outcome not in CALLBACK_OUTCOMES:
        raise CallbackError(f"outcome must be one of {', '.join(CALLBACK_OUTCOMES)}, not {outcome!r}")
    row = get_callback(session, callback_id)
    if row.status != "open":
        raise CallbackStateError(f"callback {callback_id} is {row.status} ({row.outcome})")
    row.attempts.append(CallbackAttempt(agent_id=agent_id, at=now, outcome=outcome, note=note))
    if agent_id is not None:
        row.agent_id = agent_id
    unanswered = sum(1 for a in row.attempts if a.outcome == "no_answer")
    if outcome != "no_answer" or unanswered >= max_attempts:
        row.status, row.outcome, row.closed_at = "done", outcome, now
    session.flush()
    return row


def list_callbacks(
    session: Session,
    *,
    now: datetime,
    status: str | None = "open",
    agent_id: int | None = None,
    include_unassigned: bool = False,
    overdue_only: bool = False,
) -> list[CallbackView]:
    """Callbacks by due time (soonest first). `status` None: all; `agent_id`: those assigned to (or being
    offered to) that agent, plus unassigned ones with `include_unassigned`."""
    query = (
        select(Callback)
        .options(selectinload(Callback.attempts), selectinload(Callback.offers))
        .order_by(Callback.due_at, Callback.id)
    )
    if status is not None:
        query = query.where(Callback.status == status)
    if overdue_only:
        query = query.where(Callback.status == "open", Callback.due_at < now)
    rows = list(session.scalars(query))
    offered = _offered_to(session, rows)
    views = [callback_view(r, now=now, offered_to=offered.get(r.id)) for r in rows]
    if agent_id is not None:
        views = [
            v
            for v in views
            if agent_id in (v.agent_id, v.offered_to) or (include_unassigned and v.agent_id is None)
        ]
    return views


def ready_to_offer(session: Session, *, now: datetime, retry_after: timedelta) -> list[Callback]:
    """Open callbacks the hotline may offer now (see the module docstring), most overdue first."""
    rows = session.scalars(
        select(Callback)
        .options(selectinload(Callback.attempts), selectinload(Callback.offers))
        .where(Callback.status == "open", Callback.agent_id.is_(None))
        .order_by(Callback.due_at, Callback.id)
    )
    candidates = list(rows)
    calls = _calls(session, [c for r in candidates for c in _linked_calls(r)])
    ready = []
    for row in candidates:
        linked = [calls[c] for c in _linked_calls(row) if c in calls]
        if any(call.state in LIVE_HOTLINE_STATES for call in linked):
            continue
        ends = [call.ended_at for call in linked if call.ended_at is not None]
        last = max([*ends, *(a.at for a in row.attempts)], default=None)
        if last is None or last + retry_after <= now:
            ready.append(row)
    return ready


def mark_offered(session: Session, callback: Callback, *, hotline_call_id: int, now: datetime) -> None:
    """The hotline now offers `callback` as hotline call `hotline_call_id`."""
    callback.offers.append(CallbackOffer(hotline_call_id=hotline_call_id, at=now))
    session.flush()


def offer_call_ids() -> Select[tuple[int]]:
    """The ids of hotline calls that are callback offers (outbound tasks, not callers), as a subquery."""
    return select(CallbackOffer.hotline_call_id)


def overdue_count(session: Session, *, now: datetime) -> int:
    """Open callbacks past their due time."""
    query = select(func.count()).select_from(Callback).where(Callback.status == "open", Callback.due_at < now)
    return int(session.scalar(query) or 0)


def callback_view(row: Callback, *, now: datetime, offered_to: int | None = None) -> CallbackView:
    last = row.attempts[-1] if row.attempts else None
    return CallbackView(
        id=row.id,
        number=row.number,
        requested_at=row.requested_at.isoformat(),
        due_at=row.due_at.isoformat(),
        status=row.status,
        overdue=row.status == "open" and row.due_at < now,
        outcome=row.outcome,
        agent_id=row.agent_id,
        attempts=len(row.attempts),
        last_attempt=AttemptView(last.at.isoformat(), last.agent_id, last.outcome, last.note)
        if last
        else None,
        skills=dict(row.skills),
        language=row.language,
        note=row.note,
        hotline_call_id=row.hotline_call_id,
        offer_call_id=row.offers[-1].hotline_call_id if row.offers else None,
        offered_to=offered_to,
        closed_at=row.closed_at.isoformat() if row.closed_at else None,
    )


def _linked_calls(row: Callback) -> list[int]:
    """The call `row` was requested on and its latest offer's call."""
    linked = [row.hotline_call_id] if row.hotline_call_id is not None else []
    return [*linked, row.offers[-1].hotline_call_id] if row.offers else linked


def _calls(session: Session, ids: list[int]) -> dict[int, HotlineCall]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(HotlineCall).where(HotlineCall.id.in_(ids)))}


def _offered_to(session: Session, rows: list[Callback]) -> dict[int, int]:
    """Callback id → the agent its latest offer (or the call it was requested on) is offered to or
    talking with, for those that are."""
    calls = _calls(session, [c for r in rows for c in _linked_calls(r)])
    with_agent: dict[int, int] = {}
    for row in rows:
        for call_id in reversed(_linked_calls(row)):
            call = calls.get(call_id)
            if call is not None and call.state in ("offered", "talking") and call.agent_id is not None:
                with_agent[row.id] = call.agent_id
                break
    return with_agent
