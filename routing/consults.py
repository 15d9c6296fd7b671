"""Warm transfers in the database: the consult leg of a talking call (its agent asks a colleague of a higher
tier while the caller holds), offered, answered, not answered, then completed (the colleague takes the call
over: one call record, the hand-over logged as an escalation with its reason) or cancelled.

The router's side is `routing.transfers`; a leg is routed under the id `leg_id(consult id)`. Functions take a
`Session`, flush and never commit (the hotline coordinator owns the transaction); times are tz-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CallConsult, CallEscalation, HotlineCall, RoutingDecision
from routing import service
from routing.engine import Router
from routing.model import Assignment
from routing.model import Call as RoutedCall

OPEN_STATES = ("waiting", "offered", "talking")
LEG_PREFIX = "consult-"


@dataclass(frozen=True)
class ConsultView:
    """A consult leg as the PBX and the agents see it: the held call, who asked (their tier), the tier and
    skills wanted and why, the agent it is offered to or talking with, and its queue place while waiting."""

    consult_id: int
    call_id: int
    state: str
    from_agent_id: int | None
    from_tier: int
    to_tier: int
    skills: dict[str, int]
    reason: str
    to_agent_id: int | None
    requested_at: str
    position: int | None = None


def leg_id(consult_id: int) -> str:
    """The router's id of consult `consult_id`'s leg."""
    return f"{LEG_PREFIX}{consult_id}"


def consult_id_of(routed_id: str) -> int | None:
    """The consult id of a routed leg id, None for a hotline call's id."""
    return int(routed_id.removeprefix(LEG_PREFIX)) if routed_id.startswith(LEG_PREFIX) else None


def routed_leg(consult: CallConsult, call: HotlineCall) -> RoutedCall:
    """The router's copy of a consult leg: the held call's arrival time, priority and language (so it goes
    ahead of later callers), the tier and skills wanted, never relaxed."""
    return RoutedCall(
        id=leg_id(consult.id),
        skills=dict(consult.skills),
        arrived_at=service.epoch_s(call.arrived_at),
        language=call.language,
        priority=call.priority,
        min_tier=consult.to_tier,
        excluded=set(consult.excluded),
        consult_of=str(call.id),
    )


def open_consult(session: Session, call_id: int) -> CallConsult | None:
    """The open (waiting, offered, talking) consult of hotline call `call_id`, or None."""
    return session.scalar(
        select(CallConsult).where(CallConsult.call_id == call_id, CallConsult.state.in_(OPEN_STATES))
    )


def open_consults(session: Session) -> list[tuple[CallConsult, HotlineCall]]:
    """Every open consult with its held call, oldest first (for rebuilding the router)."""
    rows = session.execute(
        select(CallConsult, HotlineCall)
        .join(HotlineCall, HotlineCall.id == CallConsult.call_id)
        .where(CallConsult.state.in_(OPEN_STATES))
        .order_by(CallConsult.id)
    ).all()
    return [(consult, call) for consult, call in rows]


def request_consult(
    session: Session,
    call: HotlineCall,
    *,
    from_agent_id: int,
    from_tier: int,
    to_tier: int,
    skills: dict[str, int],
    reason: str,
    now: datetime,
) -> CallConsult:
    """Store a new consult leg of talking call `call` (waiting until the router offers it)."""
    consult = CallConsult(
        call_id=call.id,
        from_agent_id=from_agent_id,
        from_tier=from_tier,
        to_tier=to_tier,
        skills=dict(skills),
        reason=reason,
        state="waiting",
        excluded=[],
        requested_at=now,
    )
    session.add(consult)
    session.flush()
    return consult


def store_decisions(session: Session, router: Router, decisions: list[Assignment]) -> None:
    """Persist the router's assignments: a consult leg offered to its agent (logged among the held call's
    routing decisions, its reason marked as a consult); hotline calls as `service.store_assignments`, which
    also stores the presence of every agent the router changed."""
    calls: list[Assignment] = []
    for d in decisions:
        consult_id = consult_id_of(d.call_id)
        consult = session.get(CallConsult, consult_id) if consult_id is not None else None
        if consult is None:
            if consult_id is None:
                calls.append(d)
            continue
        consult.state, consult.to_agent_id, consult.offered_at = "offered", int(d.agent_id), service.utc(d.at)
        session.add(
            RoutingDecision(
                call_id=consult.call_id,
                agent_id=int(d.agent_id),
                at=service.utc(d.at),
                wait_s=d.wait_s,
                strategy=d.strategy,
                requirement=d.requirement,
                relax_level=d.relax_level,
                candidates=[{"agent_id": c.agent_id, "key": list(c.key), "why": c.why} for c in d.candidates],
                reason=f"consult (warm transfer): {d.reason}",
            )
        )
        session.flush()  # the unique index on active consults per agent is checked here
    service.store_assignments(session, router, calls)


def not_answered(session: Session, consult: CallConsult) -> None:
    """The offered agent did not answer the consult: it waits again, that agent skipped."""
    consult.excluded = sorted({*consult.excluded, str(consult.to_agent_id)})
    consult.state, consult.to_agent_id, consult.offered_at = "waiting", None, None
    session.flush()


def complete_consult(session: Session, consult: CallConsult, call: HotlineCall, *, now: datetime) -> None:
    """The consulted agent took the call over: the call stays one record (talking, now with that agent,
    whose leg began when they answered the consult, at the consult's tier and skills), and the hand-over is
    logged as an escalation with the consult's reason (`routing.escalations`)."""
    escalation = CallEscalation(
        call_id=call.id,
        from_agent_id=consult.from_agent_id,
        from_tier=consult.from_tier,
        to_tier=consult.to_tier,
        skills_before=dict(call.skills),
        reason=consult.reason,
        at=now,
    )
    session.add(escalation)
    session.flush()
    consult.state, consult.ended_at, consult.escalation_id = "completed", now, escalation.id
    session.flush()  # the consult leaves the active index before the call moves to its agent
    call.agent_id, call.leg_answered_at = consult.to_agent_id, consult.answered_at
    call.min_tier, call.skills, call.relax_level = consult.to_tier, dict(consult.skills), 0
    session.flush()


def consult_view(session: Session, router: Router, consult: CallConsult) -> ConsultView:
    key = leg_id(consult.id)
    return ConsultView(
        consult_id=consult.id,
        call_id=consult.call_id,
        state=consult.state,
        from_agent_id=consult.from_agent_id,
        from_tier=consult.from_tier,
        to_tier=consult.to_tier,
        skills=dict(consult.skills),
        reason=consult.reason,
        to_agent_id=consult.to_agent_id,
        requested_at=consult.requested_at.isoformat(),
        position=router.queue_position(key) if consult.state == "waiting" and key in router.waiting else None,
    )


def list_open(session: Session, router: Router, *, agent_id: int | None = None) -> list[ConsultView]:
    """The open consults, oldest first (with `agent_id`: those that agent asked for or is offered)."""
    views = [consult_view(session, router, c) for c, _ in open_consults(session)]
    if agent_id is None:
        return views
    return [v for v in views if agent_id in (v.from_agent_id, v.to_agent_id)]
