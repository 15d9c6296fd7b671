"""Routing state in the database: persisting the router's decisions and agents' presence, agents'
skills and routing profile, queue statistics, and replaying history through the simulator (loading the
router and keeping it in step with the database: `routing.sync`).

Functions take a `Session` and flush, never commit: the caller (the hotline coordinator, a CLI command,
a request) owns the transaction, the lock and the clock. Router times are epoch seconds; stored times are
tz-aware UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    Agent,
    AgentPresence,
    AgentSkill,
    HotlineCall,
    RoutingDecision,
    Skill,
)
from routing.announcements import queue_announcement
from routing.config import RoutingConfig
from routing.engine import Router
from routing.model import Agent as RoutedAgent
from routing.model import Assignment
from routing.simulator import CallType, ReplayCall, Scenario

OPEN_STATES = ("waiting", "offered", "talking")


def epoch_s(dt: datetime | None) -> float:
    """A stored timestamp as router time (epoch seconds; 0.0 for none)."""
    return dt.timestamp() if dt is not None else 0.0


def utc(ts: float) -> datetime:
    """Router time (epoch seconds) as a stored timestamp."""
    return datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True)
class CallView:
    """A hotline call as the PBX sees it; `min_tier` the lowest agent tier that may take it (above 1
    after an escalation); `position`, `estimated_wait_s` (None = nobody could take it) and
    `announcement` only while it waits."""

    call_id: int
    state: str
    agent_id: int | None
    skills: dict[str, int]
    callback: bool
    arrived_at: str
    pbx_call_id: str | None = None
    agent_extension: str | None = None
    min_tier: int = 1
    position: int | None = None
    estimated_wait_s: int | None = None
    announcement: str | None = None


@dataclass(frozen=True)
class AgentView:
    agent_id: int
    status: str
    skills: dict[str, int]
    languages: list[str]
    tier: int
    calls_handled: int
    talk_time_s: float


@dataclass(frozen=True)
class DecisionView:
    """One stored assignment with the candidates considered (agent id + rank key) and the reason."""

    agent_id: int | None
    at: str
    wait_s: float
    strategy: str
    requirement: dict[str, int]
    relax_level: int
    candidates: list[dict[str, Any]]
    reason: str


@dataclass(frozen=True)
class QueueStats:
    """Real-time queue figures; `service_level` (0–1) is the share answered within `sl_target_s` over
    the configured window, None without calls in it."""

    waiting: int
    callbacks_waiting: int
    longest_wait_s: float
    service_level: float | None
    sl_target_s: float
    answered_24h: int
    abandoned_24h: int
    agents: dict[str, int] = field(default_factory=dict)


# ----- writing ---------------------------------------------------------------------------------------
def store_assignments(session: Session, router: Router, decisions: list[Assignment]) -> None:
    """Persist assignments: the call offered to its agent, the agent busy, the decision logged; then the
    presence of every agent whose state the router changed since it was last stored."""
    for d in decisions:
        row = session.get(HotlineCall, int(d.call_id))
        if row is None:
            continue
        row.state, row.agent_id, row.offered_at = "offered", int(d.agent_id), utc(d.at)
        row.relax_level = d.relax_level
        session.add(
            RoutingDecision(
                call_id=row.id,
                agent_id=int(d.agent_id),
                at=utc(d.at),
                wait_s=d.wait_s,
                strategy=d.strategy,
                requirement=d.requirement,
                relax_level=d.relax_level,
                candidates=[{"agent_id": c.agent_id, "key": list(c.key), "why": c.why} for c in d.candidates],
                reason=d.reason,
            )
        )
        session.flush()  # the unique index on active calls per agent is checked here
    for agent_id in sorted(router.drain_changed(), key=int):
        store_presence(session, router, agent_id)
    session.flush()


def store_presence(session: Session, router: Router, agent_id: str) -> None:
    """Write the router's state and counters of `agent_id` to its presence row."""
    agent = router.find_agent(agent_id)
    if agent is None:
        raise LookupError(f"agent {agent_id} is not routed")
    row = session.get(AgentPresence, int(agent_id))
    if row is None:
        row = AgentPresence(agent_id=int(agent_id))
        session.add(row)
    row.status = agent.status.value
    row.idle_since = utc(agent.idle_since)
    row.wrap_until = utc(agent.wrap_until) if agent.wrap_until else None
    row.calls_handled, row.talk_time_s = agent.calls_handled, agent.talk_time_s


def set_skills(session: Session, agent: Agent, skills: dict[str, int]) -> None:
    """Replace `agent`'s skills with `skills` (name → proficiency 1–5), creating unknown skill names."""
    agent.skills.clear()
    session.flush()
    for name, level in skills.items():
        skill = session.scalar(select(Skill).where(Skill.name == name))
        if skill is None:
            skill = Skill(name=name)
            session.add(skill)
        agent.skills.append(AgentSkill(skill=skill, proficiency=level))
    session.flush()


def set_routing_profile(
    session: Session, agent: Agent, *, languages: list[str], extension: str | None, tier: int
) -> None:
    """Set the languages `agent` takes calls in (codes such as "en", "zh"), their PBX extension (unique;
    None for none) and tier (1 is offered calls first). ValueError when another agent has the extension."""
    if tier < 1:
        raise ValueError(f"tier must be 1 or more, not {tier}")
    if extension is not None:
        holder = session.scalar(select(Agent.id).where(Agent.extension == extension, Agent.id != agent.id))
        if holder is not None:
            raise ValueError(f"extension {extension!r} belongs to agent {holder}")
    agent.languages = sorted(set(languages))
    agent.extension, agent.tier = extension, tier
    session.flush()


def unknown_skills(session: Session, names: list[str]) -> list[str]:
    """The names in `names` that are no skill of this hotline."""
    known = set(session.scalars(select(Skill.name).where(Skill.name.in_(names))))
    return sorted(set(names) - known)


# ----- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoutingFacts:
    """How a call was routed, for joining to its recording's QA and score: the queue wait (s, arrival to
    answer; to the last offer when never answered), skills asked, language, the agent and their tier at
    the decision, the relaxation level reached and the decision's reason."""

    hotline_call_id: int
    pbx_call_id: str | None
    state: str
    queue_wait_s: float | None
    skills: dict[str, int]
    language: str
    agent_id: int | None
    tier: int | None
    relax_level: int
    reason: str | None


def find_hotline_call(session: Session, pbx_call_id: str) -> HotlineCall | None:
    """The hotline call the PBX knows as `pbx_call_id`, or None."""
    return session.scalar(select(HotlineCall).where(HotlineCall.pbx_call_id == pbx_call_id))


def open_hotline_calls(session: Session) -> list[HotlineCall]:
    """The calls not yet ended or abandoned (waiting, offered, talking), oldest first."""
    query = select(HotlineCall).where(HotlineCall.state.in_(OPEN_STATES)).order_by(HotlineCall.id)
    return list(session.scalars(query))


def routing_facts(session: Session, hotline_call_id: int) -> RoutingFacts | None:
    """The routing facts of hotline call `hotline_call_id` (None when it does not exist)."""
    row = session.get(HotlineCall, hotline_call_id)
    if row is None:
        return None
    decision = session.scalar(
        select(RoutingDecision)
        .where(RoutingDecision.call_id == row.id)
        .order_by(RoutingDecision.id.desc())
        .limit(1)
    )
    wait = epoch_s(row.answered_at) - epoch_s(row.arrived_at) if row.answered_at else None
    winner = decision.candidates[0] if decision is not None and decision.candidates else None
    return RoutingFacts(
        hotline_call_id=row.id,
        pbx_call_id=row.pbx_call_id,
        state=row.state,
        queue_wait_s=round(wait if wait is not None else decision.wait_s, 1) if decision else None,
        skills=dict(row.skills),
        language=row.language,
        agent_id=row.agent_id,
        tier=int(winner["key"][0]) if winner else None,  # the router ranks by tier first
        relax_level=row.relax_level,
        reason=decision.reason if decision is not None else None,
    )


def call_view(session: Session, router: Router, config: RoutingConfig, row: HotlineCall) -> CallView:
    agent = session.get(Agent, row.agent_id) if row.agent_id is not None else None
    view = CallView(
        call_id=row.id,
        state=row.state,
        agent_id=row.agent_id,
        skills=row.skills,
        callback=row.callback,
        arrived_at=row.arrived_at.isoformat(),
        pbx_call_id=row.pbx_call_id,
        agent_extension=agent.extension if agent is not None else None,
        min_tier=row.min_tier,
    )
    if row.state != "waiting" or str(row.id) not in router.waiting:
        return view
    position = router.queue_position(str(row.id))
    wait = router.estimated_wait_s(str(row.id), average_handle_time_s(session, config))
    return replace(
        view,
        position=position,
        estimated_wait_s=None if math.isinf(wait) else round(wait),
        announcement=queue_announcement(position, wait, row.language),
    )


def agent_view(router: Router, agent_id: int) -> AgentView | None:
    agent = router.find_agent(str(agent_id))
    if agent is None:
        return None
    return AgentView(
        agent_id=agent_id,
        status=agent.status.value,
        skills=agent.skills,
        languages=sorted(agent.languages),
        tier=agent.tier,
        calls_handled=agent.calls_handled,
        talk_time_s=round(agent.talk_time_s, 1),
    )


def list_decisions(session: Session, call_id: int) -> list[DecisionView]:
    rows = session.scalars(
        select(RoutingDecision).where(RoutingDecision.call_id == call_id).order_by(RoutingDecision.id)
    )
    return [
        DecisionView(
            agent_id=d.agent_id,
            at=d.at.isoformat(),
            wait_s=round(d.wait_s, 2),
            strategy=d.strategy,
            requirement=d.requirement,
            relax_level=d.relax_level,
            candidates=d.candidates,
            reason=d.reason,
        )
        for d in rows
    ]


def average_handle_time_s(session: Session, config: RoutingConfig) -> float:
    """Mean talk time of the last `config.aht_sample_calls` answered hotline calls plus wrap-up (s);
    the configured default until there is history."""
    rows = session.execute(
        select(HotlineCall.answered_at, HotlineCall.ended_at)
        .where(HotlineCall.state == "ended", HotlineCall.answered_at.is_not(None))
        .order_by(HotlineCall.ended_at.desc())
        .limit(config.aht_sample_calls)
    ).all()
    talks = [epoch_s(e) - epoch_s(a) for a, e in rows if a is not None and e is not None]
    return (sum(talks) / len(talks) + config.wrap_up_s) if talks else config.default_aht_s


def queue_stats(session: Session, router: Router, config: RoutingConfig, *, now: float) -> QueueStats:
    """Waiting calls, longest wait, service level over `config.service_level_window_h`, agents by state."""
    callers = [c for c in router.waiting.values() if c.consult_of is None]  # not warm transfers' legs
    waits = [now - c.arrived_at for c in callers]
    since = utc(now) - timedelta(hours=config.service_level_window_h)
    recent = session.scalars(
        select(HotlineCall).where(
            HotlineCall.arrived_at >= since, HotlineCall.state.in_(("talking", "ended", "abandoned"))
        )
    ).all()
    answered = [c for c in recent if c.answered_at is not None]
    within = sum(1 for c in answered if epoch_s(c.answered_at) - epoch_s(c.arrived_at) <= config.sl_target_s)
    by_state: dict[str, int] = {}
    for agent in router.agents.values():
        by_state[agent.status.value] = by_state.get(agent.status.value, 0) + 1
    return QueueStats(
        waiting=len(waits),
        callbacks_waiting=sum(1 for c in callers if c.callback),
        longest_wait_s=round(max(waits, default=0.0), 1),
        service_level=round(within / len(recent), 4) if recent else None,
        sl_target_s=config.sl_target_s,
        answered_24h=len(answered),
        # answered, escalated, then hung up waiting for the next tier: answered, not abandoned as well
        abandoned_24h=sum(1 for c in recent if c.state == "abandoned" and c.answered_at is None),
        agents=by_state,
    )


# ----- replay ----------------------------------------------------------------------------------------
def replay_scenario(
    session: Session,
    config: RoutingConfig,
    *,
    now: datetime,
    days: float,
    extra_agents: int = 0,
    extra_skills: dict[str, int] | None = None,
    patience: float | None = None,
) -> Scenario:
    """Answered and abandoned hotline calls of the `days` before `now` with their real arrival times and
    handle times (abandoned ones get the mean handle time), served by today's agents plus `extra_agents`.
    ValueError when there is nothing to replay."""
    since = now - timedelta(days=days)
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
