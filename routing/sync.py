"""The router and the database kept in step: a router rebuilt from the tables (start-up, takeover, after
a failed write) and brought up to the routing facts other transactions committed since (agents created,
edited or deactivated, skills, languages, tier, QA scores; see the version in `models.routing`).

Functions take a `Session` and flush, never commit (the hotline coordinator owns the transaction). Router
times are epoch seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models import Agent, AgentPresence, CallScore, HotlineCall, RoutingChange, RoutingSync
from models import Call as RecordedCall
from routing import consults
from routing.config import RoutingConfig
from routing.engine import Router
from routing.model import Agent as RoutedAgent
from routing.model import AgentStatus, Assignment
from routing.model import Call as RoutedCall
from routing.service import OPEN_STATES, epoch_s, utc


def routed_call(row: HotlineCall, config: RoutingConfig) -> RoutedCall:
    """The router's copy of a stored call; an escalated one (min_tier above 1) is not relaxed."""
    return RoutedCall(
        id=str(row.id),
        skills=dict(row.skills),
        arrived_at=epoch_s(row.arrived_at),
        language=row.language,
        priority=row.priority,
        steps=config.steps if row.min_tier <= 1 else (),
        callback=row.callback,
        min_tier=row.min_tier,
        excluded=set(row.excluded),
    )


def routing_version(session: Session) -> int:
    """The committed version of the routing facts (see `models.routing`); 0 before any change."""
    return session.scalar(select(RoutingSync.version).where(RoutingSync.id == 1)) or 0


def _routed_agent(
    agent: Agent, presence: AgentPresence | None, quality: float | None, *, holds_calls: bool
) -> RoutedAgent:
    status = AgentStatus(presence.status) if presence else AgentStatus.OFFLINE
    if not agent.active:
        status = AgentStatus.OFFLINE  # kept only while a call is still with them
    elif status == AgentStatus.ON_CALL and not holds_calls:
        status = AgentStatus.BREAK  # on a call when the process stopped, and the call is gone
    return RoutedAgent(
        id=str(agent.id),
        skills={s.skill.name: s.proficiency for s in agent.skills},
        languages=frozenset(agent.languages),
        tier=agent.tier,
        status=status,
        idle_since=epoch_s(presence.idle_since) if presence else 0.0,
        wrap_until=epoch_s(presence.wrap_until) if presence else 0.0,
        calls_handled=presence.calls_handled if presence else 0,
        talk_time_s=presence.talk_time_s if presence else 0.0,
        quality={s.skill.name: quality for s in agent.skills} if quality is not None else {},
    )


def load_router(
    session: Session, config: RoutingConfig, *, now: float
) -> tuple[Router, int, list[Assignment]]:
    """A router rebuilt from the database: active agents (and inactive ones still holding a call or a
    consult) with their presence, languages, tier and QA quality, calls and consult legs with an agent
    resumed, waiting ones queued again, wrap-ups ending at their stored deadline. Returns it with the
    routing version it reflects and the assignments that rebuilding made (store them with
    `routing.consults.store_decisions`)."""
    version = routing_version(session)  # read first: a change committed meanwhile is reloaded by a sync
    router = Router(config.strategy, wrap_up_s=config.wrap_up_s)
    quality = agent_quality(session, since=utc(now) - timedelta(days=config.quality_window_days))
    presence = {p.agent_id: p for p in session.scalars(select(AgentPresence))}
    open_calls = session.scalars(
        select(HotlineCall).where(HotlineCall.state.in_(OPEN_STATES)).order_by(HotlineCall.arrived_at)
    ).all()
    legs = consults.open_consults(session)  # warm transfers' consult legs (the held call stays talking)
    holding = {r.agent_id for r in open_calls if r.state != "waiting"}
    holding |= {c.to_agent_id for c, _ in legs if c.state != "waiting"}
    decisions: list[Assignment] = []
    agents = session.scalars(
        select(Agent).where(or_(Agent.active, Agent.id.in_(holding))).options(selectinload(Agent.skills))
    ).all()
    for agent in agents:
        routed = _routed_agent(
            agent, presence.get(agent.id), quality.get(agent.id), holds_calls=agent.id in holding
        )
        held = [routed_call(r, config) for r in open_calls if r.state != "waiting" and r.agent_id == agent.id]
        held += [
            consults.routed_leg(c, r) for c, r in legs if c.state != "waiting" and c.to_agent_id == agent.id
        ]
        decisions += router.restore_agent(routed, held, now)
    waiting = [routed_call(r, config) for r in open_calls if r.state == "waiting"]
    waiting += [consults.routed_leg(c, r) for c, r in legs if c.state == "waiting"]
    for call in sorted(waiting, key=lambda c: c.arrived_at):
        decision = router.arrive(call, now)
        decisions += [decision] if decision else []
    decisions += router.tick(now)
    return router, version, decisions


def sync_router(
    session: Session, router: Router, config: RoutingConfig, *, seen: int, now: float
) -> tuple[int, list[Assignment]]:
    """Bring `router` (reflecting routing version `seen`) up to the committed routing facts: agents
    created, edited, deactivated or newly scored since are reloaded. Returns the version it now reflects
    and the assignments the changes made (a newly skilled free agent may take a waiting call)."""
    version = routing_version(session)
    if version == seen:
        return seen, []
    changed = set(
        session.scalars(
            select(RoutingChange.agent_id).where(
                RoutingChange.version > seen, RoutingChange.version <= version
            )
        )
    )
    quality = agent_quality(
        session, since=utc(now) - timedelta(days=config.quality_window_days), agent_ids=changed
    )
    rows = session.scalars(select(Agent).where(Agent.id.in_(changed)).options(selectinload(Agent.skills)))
    by_id = {a.id: a for a in rows}
    decisions: list[Assignment] = []
    for agent_id in sorted(changed):
        agent, key = by_id.get(agent_id), str(agent_id)
        routed = router.find_agent(key)
        if agent is None or not agent.active:
            if routed is not None and routed.active_calls:
                decisions += router.set_status(key, AgentStatus.OFFLINE, now)  # leaves after the call
            elif routed is not None:
                router.remove_agent(key)
            continue
        if routed is None:
            presence = session.get(AgentPresence, agent_id)
            decisions += router.add_agent(
                _routed_agent(agent, presence, quality.get(agent_id), holds_calls=False), now
            )
            continue
        fresh = _routed_agent(agent, None, quality.get(agent_id), holds_calls=False)
        decisions += router.update_agent(
            key,
            skills=fresh.skills,
            languages=fresh.languages,
            tier=fresh.tier,
            quality=fresh.quality,
            now=now,
        )
    return version, decisions


def forget_changes(session: Session, *, before: datetime) -> None:
    """Drop the change log written before `before` (the router syncs every second; a standby server
    rebuilds from the tables when it takes over, so nobody needs older entries)."""
    session.execute(delete(RoutingChange).where(RoutingChange.at < before))


def agent_quality(
    session: Session, *, since: datetime, agent_ids: set[int] | None = None
) -> dict[int, float]:
    """Agent → mean QA call score (0–100) of calls scored since `since` (of `agent_ids` only, when given),
    for quality-weighted routing."""
    query = (
        select(RecordedCall.agent_id, func.avg(CallScore.total))
        .join(CallScore, CallScore.call_id == RecordedCall.id)
        .where(CallScore.created_at >= since)
        .group_by(RecordedCall.agent_id)
    )
    if agent_ids is not None:
        query = query.where(RecordedCall.agent_id.in_(agent_ids))
    rows = session.execute(query).all()
    return {int(agent_id): float(avg) for agent_id, avg in rows if agent_id is not None}
