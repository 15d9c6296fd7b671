"""The hotline: the in-memory router kept in step with its durable copy in the database.

Every event (a call arrives, an agent answers, a caller hangs up …) runs under one lock: the router
decides, the touched calls/agents/decisions are written, and the transaction commits before the lock is
released. If the write fails the router is rebuilt from the database, so memory never runs ahead of what
is stored. The partial unique index on active calls per agent is the last line of defence against a
double assignment. One process owns the hotline (the server); the clock is epoch seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from models import Agent, AgentPresence, CallScore, HotlineCall, RoutingDecision
from models import Call as RecordedCall
from routing.config import RoutingConfig
from routing.engine import Router, RoutingError
from routing.model import Agent as RoutedAgent
from routing.model import AgentStatus, Assignment
from routing.model import Call as RoutedCall

__all__ = ["Hotline", "HotlineError", "RoutingError"]


class HotlineError(LookupError):
    """Unknown call or agent, or an event that does not fit the call's state (maps to 404/409)."""

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _ts(dt: datetime | None) -> float:
    return dt.timestamp() if dt is not None else 0.0


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Hotline:
    """Routes hotline calls to agents; see the module docstring for the consistency rules."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        config: RoutingConfig,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._factory = factory
        self.config = config
        self._clock = clock
        self._lock = threading.RLock()
        self.router = Router(config.strategy, wrap_up_s=config.wrap_up_s)
        self.restore()

    # ----- lifecycle -------------------------------------------------------------------------------
    def restore(self) -> None:
        """Rebuild the router from the database (start-up, or after a failed write)."""
        with self._lock, self._factory() as session:
            router = Router(self.config.strategy, wrap_up_s=self.config.wrap_up_s)
            quality = self._quality(session)
            presence = {p.agent_id: p for p in session.scalars(select(AgentPresence))}
            agents = session.scalars(
                select(Agent).where(Agent.active).options(selectinload(Agent.skills))
            ).all()
            for agent in agents:
                p = presence.get(agent.id)
                status = AgentStatus(p.status) if p else AgentStatus.OFFLINE
                routed = RoutedAgent(
                    id=str(agent.id),
                    skills={s.skill.name: s.proficiency for s in agent.skills},
                    status=AgentStatus.BREAK if status == AgentStatus.ON_CALL else status,
                    idle_since=_ts(p.idle_since) if p else 0.0,
                    wrap_until=_ts(p.wrap_until) if p else 0.0,
                    calls_handled=p.calls_handled if p else 0,
                    talk_time_s=p.talk_time_s if p else 0.0,
                    quality={s.skill.name: quality[agent.id] for s in agent.skills}
                    if agent.id in quality
                    else {},
                )
                router.agents[routed.id] = routed  # indexed below, once active calls are known
            open_calls = session.scalars(
                select(HotlineCall)
                .where(HotlineCall.state.in_(("waiting", "offered", "talking")))
                .order_by(HotlineCall.arrived_at)
            ).all()
            for row in open_calls:
                if row.state != "waiting" and row.agent_id is not None and str(row.agent_id) in router.agents:
                    router.resume(self._routed_call(row), str(row.agent_id))
            self.router = router
            now = self._clock()
            decisions: list[Assignment] = []
            for routed in list(router.agents.values()):
                if routed.active_calls:
                    routed.status = AgentStatus.ON_CALL
                decisions += router.add_agent(routed, now)
            for row in open_calls:
                if row.state == "waiting":
                    decision = router.arrive(self._routed_call(row), now)
                    decisions += [decision] if decision else []
            decisions += router.tick(now)
            self._store(session, decisions)
            session.commit()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._lock:
            session = self._factory()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                session.close()
                self.restore()
                raise
            session.close()

    # ----- events ----------------------------------------------------------------------------------
    def call_arrived(
        self,
        caller_number: str,
        *,
        ivr_choice: str | None = None,
        skills: dict[str, int] | None = None,
        language: str = "en",
        priority: int = 0,
    ) -> dict[str, Any]:
        """A caller reached the hotline; returns the call's view (assigned agent or queue place)."""
        if skills is None:
            if ivr_choice is None or ivr_choice not in self.config.ivr:
                known = ", ".join(sorted(self.config.ivr)) or "none configured"
                raise HotlineError(f"unknown IVR choice {ivr_choice!r} (known: {known})", status=422)
            skills = self.config.ivr[ivr_choice]
        with self._transaction() as session:
            now = self._clock()
            row = HotlineCall(
                caller_number=caller_number,
                ivr_choice=ivr_choice,
                skills=dict(skills),
                language=language,
                priority=priority,
                arrived_at=_dt(now),
                excluded=[],
            )
            session.add(row)
            session.flush()
            decision = self.router.arrive(self._routed_call(row), now)
            self._store(session, [decision] if decision else [])
            self._store(session, self.router.tick(now))
            return self._view(session, row)

    def answer(self, call_id: int) -> dict[str, Any]:
        """The offered agent picked up."""
        with self._transaction() as session:
            row = self._row(session, call_id, "offered")
            row.state = "talking"
            row.answered_at = _dt(self._clock())
            return self._view(session, row)

    def reject(self, call_id: int, *, pause_agent: bool = True) -> dict[str, Any]:
        """The offered agent rejected or did not answer: the call is re-offered, keeping its place."""
        with self._transaction() as session:
            row = self._row(session, call_id, "offered")
            agent_id = str(row.agent_id)
            now = self._clock()
            decisions = self.router.no_answer(str(call_id), now, pause_agent=pause_agent)
            row.state, row.agent_id, row.offered_at = "waiting", None, None
            row.excluded = sorted({*row.excluded, agent_id})
            session.flush()
            self._sync_agent(session, agent_id)
            self._store(session, decisions)
            return self._view(session, row)

    def end(self, call_id: int) -> dict[str, Any]:
        """The conversation ended (hang-up by either side after answering)."""
        with self._transaction() as session:
            row = self._row(session, call_id, "talking")
            now = self._clock()
            agent_id = str(row.agent_id)
            talk = now - _ts(row.answered_at)
            decisions = self.router.end_call(str(call_id), now, talk_s=max(0.0, talk))
            row.state, row.ended_at = "ended", _dt(now)
            session.flush()
            self._sync_agent(session, agent_id)
            self._store(session, decisions)
            return self._view(session, row)

    def abandon(self, call_id: int) -> dict[str, Any]:
        """The caller hung up before an agent answered (waiting, or while being offered)."""
        with self._transaction() as session:
            row = self._row(session, call_id, "waiting", "offered")
            now = self._clock()
            decisions: list[Assignment] = []
            if row.state == "offered":
                agent_id = str(row.agent_id)
                decisions = self.router.withdraw(str(call_id), now)
                row.agent_id = None
                session.flush()
                self._sync_agent(session, agent_id)
            else:
                self.router.abandon(str(call_id))
            row.state, row.ended_at = "abandoned", _dt(now)
            session.flush()
            self._store(session, decisions)
            return self._view(session, row)

    def request_callback(self, call_id: int, number: str | None = None) -> dict[str, Any]:
        """The caller leaves the line but keeps their place; the agent it reaches calls them back."""
        with self._transaction() as session:
            row = self._row(session, call_id, "waiting")
            self.router.request_callback(str(call_id))
            row.callback, row.callback_number = True, number or row.caller_number
            return self._view(session, row)

    def set_agent_state(self, agent_id: int, status: str) -> dict[str, Any]:
        """available / break / offline, set by the agent or a supervisor (not on_call or wrap_up)."""
        if status not in ("available", "break", "offline"):
            raise HotlineError(f"status must be available, break or offline, not {status!r}", status=422)
        with self._transaction() as session:
            key = str(agent_id)
            if key not in self.router.agents:
                raise HotlineError(f"agent {agent_id} not found (or inactive)", status=404)
            if self.router.agents[key].status in (AgentStatus.ON_CALL,) and status != "available":
                raise HotlineError(f"agent {agent_id} is on a call", status=409)
            now = self._clock()
            decisions = self.router.set_status(key, AgentStatus(status), now)
            self._sync_agent(session, key)
            self._store(session, decisions)
            return self.agent_view(agent_id)

    def tick(self) -> int:
        """Apply due wrap-up ends and relaxation steps (called periodically); returns assignments made."""
        with self._transaction() as session:
            decisions = self.router.tick(self._clock())
            self._store(session, decisions)
            return len(decisions)

    # ----- reads -------------------------------------------------------------------------------------
    def call_view(self, call_id: int) -> dict[str, Any]:
        with self._lock, self._factory() as session:
            row = session.get(HotlineCall, call_id)
            if row is None:
                raise HotlineError(f"hotline call {call_id} not found", status=404)
            return self._view(session, row)

    def agent_view(self, agent_id: int) -> dict[str, Any]:
        agent = self.router.agents.get(str(agent_id))
        if agent is None:
            raise HotlineError(f"agent {agent_id} not found (or inactive)", status=404)
        return {
            "agent_id": agent_id,
            "status": agent.status.value,
            "skills": agent.skills,
            "calls_handled": agent.calls_handled,
            "talk_time_s": round(agent.talk_time_s, 1),
        }

    def decisions(self, call_id: int) -> list[dict[str, Any]]:
        with self._factory() as session:
            rows = session.scalars(
                select(RoutingDecision).where(RoutingDecision.call_id == call_id).order_by(RoutingDecision.id)
            )
            return [
                {
                    "agent_id": d.agent_id,
                    "at": d.at.isoformat(),
                    "wait_s": round(d.wait_s, 2),
                    "strategy": d.strategy,
                    "requirement": d.requirement,
                    "relax_level": d.relax_level,
                    "candidates": d.candidates,
                    "reason": d.reason,
                }
                for d in rows
            ]

    def stats(self) -> dict[str, Any]:
        """Real-time queue figures: waiting, longest wait, service level (last 24 h), agents by state."""
        with self._lock, self._factory() as session:
            now = self._clock()
            waits = [now - c.arrived_at for c in self.router.waiting.values()]
            since = _dt(now) - timedelta(hours=24)
            recent = session.scalars(
                select(HotlineCall).where(
                    HotlineCall.arrived_at >= since, HotlineCall.state.in_(("talking", "ended", "abandoned"))
                )
            ).all()
            answered = [c for c in recent if c.answered_at is not None]
            within = sum(
                1 for c in answered if _ts(c.answered_at) - _ts(c.arrived_at) <= self.config.sl_target_s
            )
            by_state: dict[str, int] = {}
            for agent in self.router.agents.values():
                by_state[agent.status.value] = by_state.get(agent.status.value, 0) + 1
            return {
                "waiting": len(waits),
                "callbacks_waiting": sum(1 for c in self.router.waiting.values() if c.callback),
                "longest_wait_s": round(max(waits, default=0.0), 1),
                "service_level": round(within / len(recent), 4) if recent else None,
                "sl_target_s": self.config.sl_target_s,
                "answered_24h": len(answered),
                "abandoned_24h": sum(1 for c in recent if c.state == "abandoned"),
                "agents": by_state,
            }

    # ----- internals -----------------------------------------------------------------------------
    def _routed_call(self, row: HotlineCall) -> RoutedCall:
        return RoutedCall(
            id=str(row.id),
            skills=dict(row.skills),
            arrived_at=_ts(row.arrived_at),
            language=row.language,
            priority=row.priority,
            steps=self.config.steps,
            callback=row.callback,
            excluded=set(row.excluded),
        )

    def _row(self, session: Session, call_id: int, *states: str) -> HotlineCall:
        row = session.get(HotlineCall, call_id, with_for_update=True)
        if row is None:
            raise HotlineError(f"hotline call {call_id} not found", status=404)
        if row.state not in states:
            raise HotlineError(f"call {call_id} is {row.state}, expected {' or '.join(states)}")
        return row

    def _store(self, session: Session, decisions: list[Assignment]) -> None:
        """Persist assignments: the call offered to its agent, the agent busy, the decision logged."""
        for d in decisions:
            row = session.get(HotlineCall, int(d.call_id))
            if row is None:
                continue
            row.state, row.agent_id, row.offered_at = "offered", int(d.agent_id), _dt(d.at)
            row.relax_level = d.relax_level
            session.add(
                RoutingDecision(
                    call_id=row.id,
                    agent_id=int(d.agent_id),
                    at=_dt(d.at),
                    wait_s=d.wait_s,
                    strategy=d.strategy,
                    requirement=d.requirement,
                    relax_level=d.relax_level,
                    candidates=[{"agent_id": c.agent_id, "key": list(c.key)} for c in d.candidates],
                    reason=d.reason,
                )
            )
            session.flush()  # the unique index on active calls per agent is checked here
            self._sync_agent(session, d.agent_id)

    def _sync_agent(self, session: Session, agent_id: str) -> None:
        agent = self.router.agents[agent_id]
        row = session.get(AgentPresence, int(agent_id))
        if row is None:
            row = AgentPresence(agent_id=int(agent_id))
            session.add(row)
        row.status = agent.status.value
        row.idle_since = _dt(agent.idle_since)
        row.wrap_until = _dt(agent.wrap_until) if agent.wrap_until else None
        row.calls_handled, row.talk_time_s = agent.calls_handled, agent.talk_time_s
        session.flush()

    def _view(self, session: Session, row: HotlineCall) -> dict[str, Any]:
        view: dict[str, Any] = {
            "call_id": row.id,
            "state": row.state,
            "agent_id": row.agent_id,
            "skills": row.skills,
            "callback": row.callback,
            "arrived_at": row.arrived_at.isoformat(),
        }
        if row.state == "waiting" and str(row.id) in self.router.waiting:
            position = self.router.queue_position(str(row.id))
            wait = self.estimated_wait(session, str(row.id), position)
            view.update(
                position=position,
                estimated_wait_s=None if math.isinf(wait) else round(wait),
                announcement=announcement(position, wait),
            )
        return view

    def estimated_wait(self, session: Session, call_id: str, position: int) -> float:
        """Seconds until answer for the caller at `position`: position × AHT / agents who could take it.

        AHT is calibrated on the last 200 answered hotline calls (configured default until then).
        """
        call = self.router.waiting[call_id]
        need = call.requirement()
        staffed = sum(
            1
            for a in self.router.agents.values()
            if a.status != AgentStatus.OFFLINE
            and call.language in a.languages
            and all(a.skills.get(s, 0) >= lvl for s, lvl in need.items())
        )
        aht = self._aht(session)
        return math.inf if staffed == 0 else position * aht / staffed

    def _aht(self, session: Session) -> float:
        rows = session.execute(
            select(HotlineCall.answered_at, HotlineCall.ended_at)
            .where(HotlineCall.state == "ended", HotlineCall.answered_at.is_not(None))
            .order_by(HotlineCall.ended_at.desc())
            .limit(200)
        ).all()
        talks = [_ts(e) - _ts(a) for a, e in rows if a is not None and e is not None]
        wrap = self.config.wrap_up_s
        return (sum(talks) / len(talks) + wrap) if talks else self.config.default_aht_s

    @staticmethod
    def _quality(session: Session) -> dict[int, float]:
        """Agent → mean QA call score (0–100) over the last 90 days, for quality-weighted routing."""
        since = datetime.now(UTC) - timedelta(days=90)
        rows = session.execute(
            select(RecordedCall.agent_id, func.avg(CallScore.total))
            .join(CallScore, CallScore.call_id == RecordedCall.id)
            .where(CallScore.created_at >= since)
            .group_by(RecordedCall.agent_id)
        ).all()
        return {int(agent_id): float(avg) for agent_id, avg in rows if agent_id is not None}


def announcement(position: int, wait_s: float) -> str:
    """The IVR prompt for a waiting caller."""
    if math.isinf(wait_s):
        return (
            f"You are number {position} in the queue. All our agents for this service are currently "
            "unavailable; you can ask for a callback and keep your place."
        )
    minutes = max(1, round(wait_s / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"You are number {position} in the queue. Your estimated wait is about {minutes} {unit}."
