"""Escalations: a live hotline call handed on by its agent to a higher tier (one call record throughout,
its routing decisions and escalations kept in order), a repeat caller's call starting at the tier their
escalated call reached, and the escalation counts the KPIs are built on.

The router's side (who may take the call now) is `routing.transfers`; this module stores a blind escalation
(a warm transfer's consult leg: `routing.consults`).
Functions take a `Session` keyword-only where they read, flush and never commit; times are tz-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CallEscalation, HotlineCall
from routing.config import RoutingConfig
from routing.engine import Router
from routing.model import Call


class EscalationError(ValueError):
    """An escalation that cannot be made: the tier is not configured or not above the agent's, or no agent
    of it could take the call."""


@dataclass(frozen=True)
class EscalationView:
    """One escalation of a call: by whom (their tier then), to which tier, why, and what the call needed
    before it (`skills_before`; the call's view has what it needs now)."""

    id: int
    call_id: int
    from_agent_id: int | None
    from_tier: int
    to_tier: int
    skills_before: dict[str, int]
    reason: str
    at: str


def escalation_target(
    router: Router,
    config: RoutingConfig,
    *,
    agent_tier: int,
    to_tier: int | None,
    skills: dict[str, int] | None,
    needed: dict[str, int],
    language: str,
) -> tuple[int, dict[str, int]]:
    """Where a call needing `needed`, with an agent of `agent_tier`, is handed on to: the tier (`to_tier`,
    or the next configured tier) and what it needs there (`skills`, or that tier's skill queue for
    `needed`: `RoutingConfig.skills_at_tier`). EscalationError unless the tier is configured, above
    `agent_tier`, and some routed agent of it (or higher) has those skills and speaks `language` (in any
    state: they may be busy now)."""
    target = to_tier if to_tier is not None else config.next_tier(agent_tier)
    if target is None or target not in config.tiers or target <= agent_tier:
        higher = ", ".join(f"{t} {n}" for t, n in sorted(config.tiers.items()) if t > agent_tier)
        raise EscalationError(f"the agent is tier {agent_tier}: escalate to {higher or 'no higher tier'}")
    need = dict(skills) if skills is not None else config.skills_at_tier(target, needed)
    name = config.tiers[target]
    if not any(a.tier >= target for a in router.agents.values()):
        raise EscalationError(f"no agent of tier {target} ({name}) or higher")
    refusal = router.unservable(Call("probe", dict(need), 0.0, language=language, min_tier=target))
    if refusal is not None:
        raise EscalationError(f"tier {target} ({name}): {refusal}")
    return target, need


def starting_tier(
    session: Session,
    router: Router,
    config: RoutingConfig,
    *,
    caller_number: str,
    ivr_choice: str | None,
    skills: dict[str, int],
    language: str,
    now: datetime,
) -> int:
    """The tier a new call starts at: a caller whose call for the same need (the same IVR choice, or
    without one the skills it first needed) was escalated within `config.repeat_escalated_days` goes
    straight to the highest tier it reached; otherwise, or when nobody of that tier could take the call
    now, tier 1."""
    if config.repeat_escalated_days <= 0:
        return 1
    rows = session.execute(
        select(HotlineCall.ivr_choice, CallEscalation.skills_before, CallEscalation.to_tier)
        .join(HotlineCall, HotlineCall.id == CallEscalation.call_id)
        .where(
            HotlineCall.caller_number == caller_number,
            CallEscalation.at >= now - timedelta(days=config.repeat_escalated_days),
        )
    ).all()
    same_need = [
        to for ivr, before, to in rows if (ivr == ivr_choice if ivr_choice is not None else before == skills)
    ]
    tier = max(same_need, default=1)
    probe = Call("probe", dict(skills), 0.0, language=language, min_tier=tier)
    if tier > 1 and (not any(a.tier >= tier for a in router.agents.values()) or router.unservable(probe)):
        return 1
    return tier


def record_escalation(
    session: Session,
    row: HotlineCall,
    *,
    from_agent_id: int,
    from_tier: int,
    to_tier: int,
    reason: str,
    skills: dict[str, int],
    now: datetime,
) -> CallEscalation:
    """Store that talking call `row` was handed on by `from_agent_id` (tier `from_tier`): the escalation is
    logged and the call waits again, for an agent of `to_tier` or higher with `skills`. Its arrival time,
    priority and first answer stay (queue place, speed of answer)."""
    escalation = CallEscalation(
        call_id=row.id,
        from_agent_id=from_agent_id,
        from_tier=from_tier,
        to_tier=to_tier,
        skills_before=dict(row.skills),
        reason=reason,
        at=now,
    )
    session.add(escalation)
    row.state, row.agent_id, row.offered_at, row.leg_answered_at = "waiting", None, None, None
    row.min_tier, row.skills, row.relax_level = to_tier, dict(skills), 0
    session.flush()
    return escalation


def list_escalations(session: Session, call_id: int) -> list[EscalationView]:
    """The escalations of hotline call `call_id`, oldest first."""
    rows = session.scalars(
        select(CallEscalation).where(CallEscalation.call_id == call_id).order_by(CallEscalation.id)
    )
    return [
        EscalationView(
            id=e.id,
            call_id=e.call_id,
            from_agent_id=e.from_agent_id,
            from_tier=e.from_tier,
            to_tier=e.to_tier,
            skills_before=dict(e.skills_before),
            reason=e.reason,
            at=e.at.isoformat(),
        )
        for e in rows
    ]


def escalated_calls(session: Session, call_ids: list[int]) -> set[int]:
    """Which of `call_ids` were escalated."""
    if not call_ids:
        return set()
    return set(session.scalars(select(CallEscalation.call_id).where(CallEscalation.call_id.in_(call_ids))))


def calls_escalated_by(
    session: Session, agent_ids: set[int], *, since: datetime, until: datetime
) -> set[int]:
    """Hotline calls arriving in [since, until) that one of `agent_ids` escalated (whoever ended them)."""
    query = (
        select(CallEscalation.call_id)
        .join(HotlineCall, HotlineCall.id == CallEscalation.call_id)
        .where(
            CallEscalation.from_agent_id.in_(agent_ids),
            HotlineCall.arrived_at >= since,
            HotlineCall.arrived_at < until,
        )
    )
    return set(session.scalars(query))
