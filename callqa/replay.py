"""Build a simulator scenario from the hotline's history (what-if questions on real traffic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Agent, HotlineCall
from routing.config import RoutingConfig
from routing.model import Agent as RoutedAgent
from routing.simulator import CallType, ReplayCall, Scenario


def replay_scenario(
    session: Session,
    config: RoutingConfig,
    *,
    days: float,
    extra_agents: int = 0,
    extra_skills: dict[str, int] | None = None,
    patience: float | None = None,
) -> Scenario:
    """Answered and abandoned hotline calls of the last `days` with their real arrival times and handle
    times (abandoned ones get the mean handle time), served by today's agents plus `extra_agents`."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = session.scalars(
        select(HotlineCall)
        .where(HotlineCall.arrived_at >= since, HotlineCall.state.in_(("ended", "abandoned")))
        .order_by(HotlineCall.arrived_at)
    ).all()
    if not rows:
        raise ValueError(f"no ended or abandoned hotline calls in the last {days:g} days to replay")
    talks = [
        (c.ended_at - c.answered_at).total_seconds() for c in rows if c.ended_at and c.answered_at is not None
    ]
    aht = sum(talks) / len(talks) if talks else config.default_aht_s
    first = rows[0].arrived_at
    calls = tuple(
        ReplayCall(
            at=(c.arrived_at - first).total_seconds(),
            skills=dict(c.skills),
            handle_s=(c.ended_at - c.answered_at).total_seconds()
            if c.ended_at and c.answered_at is not None
            else aht,
            language=c.language,
            priority=c.priority,
        )
        for c in rows
    )
    agents = [
        RoutedAgent(str(a.id), {s.skill.name: s.proficiency for s in a.skills})
        for a in session.scalars(select(Agent).where(Agent.active).options(selectinload(Agent.skills)))
    ]
    agents += [RoutedAgent(f"extra{i}", dict(extra_skills or {})) for i in range(extra_agents)]
    return Scenario(
        agents=tuple(agents),
        call_types=(CallType(1.0, {}, steps=config.steps),),
        arrival_rate=0.0,
        aht=aht,
        n_calls=len(calls),
        patience=patience,
        wrap_up_s=config.wrap_up_s,
        sl_target_s=config.sl_target_s,
        replay=calls,
    )
