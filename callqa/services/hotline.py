"""The hotline coordinator: the in-memory router kept in step with its durable copy in the database.

Every event (a call arrives, an agent answers, a caller hangs up …) and every read runs under one lock:
first the router catches up with routing facts other transactions committed (agents created or edited,
skills, languages, QA scores: `routing.sync.sync_router`), then it decides, `routing.service` writes
the touched calls/agents/decisions, and the transaction commits before the lock is released. If the
write fails the router is rebuilt from the database, so memory never runs ahead of what is stored.
The partial unique index on active calls per agent is the last line of defence against a double
assignment. One process owns the hotline (the server); the clock is epoch seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from callqa.services.hotline_errors import (
    HotlineInputError,
    HotlineNotFoundError,
    HotlineNotLeaderError,
    HotlineRefusedError,
    HotlineStateError,
)
from callqa.services.hotline_transfers import HotlineTransfers
from callqa.services.leader import LeaderLease
from models import HotlineCall
from routing import callbacks, consults, escalations, service, sync
from routing.announcements import Refusal
from routing.config import RoutingConfig
from routing.engine import Router
from routing.escalations import EscalationView
from routing.model import AgentStatus, Assignment
from routing.model import Call as RoutedCall
from routing.service import AgentView, CallView, DecisionView, QueueStats, utc

log = logging.getLogger("callqa.services.hotline")

CHANGE_LOG_KEEP_S = 3600.0
"""Seconds the routing change log is kept (pruned about as often); the router reads it every second."""


class Hotline(HotlineTransfers):
    """Routes hotline calls to agents; see the module docstring for the consistency rules (hand-overs to a
    higher tier, blind or warm: `HotlineTransfers`)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        config: RoutingConfig,
        *,
        clock: Callable[[], float] = time.time,
        lease: LeaderLease | None = None,
    ) -> None:
        """`lease`: when given, this hotline routes only while it holds the lease (one router per database);
        otherwise every event raises HotlineNotLeaderError naming the owner."""
        self._factory = factory
        self.config = config
        self._clock = clock
        self._lock = threading.RLock()
        self._lease = lease
        self.router = Router(config.strategy, wrap_up_s=config.wrap_up_s)
        self._version = 0  # the routing-facts version the router reflects (see models.routing)
        self._pruned_at = 0.0  # when the routing change log was last pruned (epoch s)
        self._restored = False  # whether the router was rebuilt since this hotline last took the lease
        if lease is None or lease.keep():
            self.restore()

    def keep_lease(self) -> bool:
        """Renew (or take over) the lease, called periodically without the router's lock; returns whether
        this hotline leads. After a takeover the next event first rebuilds the router from the database."""
        if self._lease is None:
            return True
        was_leader = self._lease.held
        leads = self._lease.keep()
        if leads and not was_leader:
            log.info("this server now runs the hotline (%s)", self._lease.holder)
        elif was_leader and not leads:
            self._restored = False
            log.warning("this server lost the hotline lease; hotline requests now go to its new owner")
        return leads

    def _require_leader(self) -> None:
        """Raise unless this hotline leads; on the first event after taking over, rebuild the router."""
        if self._lease is None:
            return
        if self._lease.held and not self._restored:
            self.restore()
        if not self._lease.held:
            owner = self._lease.owner() or "no server at the moment (the lease is free; retry shortly)"
            raise HotlineNotLeaderError(
                f"the hotline on this database is run by {owner}; send hotline traffic there"
            )

    # ----- lifecycle -------------------------------------------------------------------------------
    def restore(self) -> None:
        """Rebuild the router from the database (start-up, takeover, or after a failed write)."""
        with self._lock, self._factory() as session:
            self.router, version, decisions = sync.load_router(session, self.config, now=self._clock())
            consults.store_decisions(session, self.router, decisions)
            session.commit()
            self._version = version
            self._restored = True

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._lock:
            self._require_leader()
            session = self._factory()
            try:
                self._version, decisions = sync.sync_router(
                    session, self.router, self.config, seen=self._version, now=self._clock()
                )
                self._store(session, decisions)
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
        pbx_call_id: str | None = None,
        callback_number: str | None = None,
    ) -> CallView:
        """A caller reached the hotline; returns the call's view (assigned agent or queue place).
        `pbx_call_id`: the telephone system's id of the call (recordings name it to be linked).
        `callback_number`: not a caller on the line but a callback the agent it reaches is to make.
        HotlineRefusedError when no agent could ever take it (nothing is stored then); HotlineStateError
        when the PBX call id is already known."""
        if skills is None:
            if ivr_choice is None or ivr_choice not in self.config.ivr:
                known = ", ".join(sorted(self.config.ivr)) or "none configured"
                raise HotlineInputError(f"unknown IVR choice {ivr_choice!r} (known: {known})")
            skills = self.config.ivr[ivr_choice]
        with self._transaction() as session:
            now = self._clock()
            configured = {s for choice in self.config.ivr.values() for s in choice}
            if pbx_call_id is not None and (existing := service.find_hotline_call(session, pbx_call_id)):
                raise HotlineStateError(f"PBX call {pbx_call_id!r} is already hotline call {existing.id}")
            unknown = service.unknown_skills(session, [s for s in skills if s not in configured])
            # The reason is said in the caller's language: the IVR may play it to them.
            if unknown:
                raise HotlineRefusedError(Refusal("unknown_skill", skills=tuple(unknown)).text(language))
            probe = RoutedCall("new", dict(skills), now, language=language, steps=self.config.steps)
            refusal = self.router.unservable(probe)
            if refusal is not None:
                raise HotlineRefusedError(refusal.text(language))
            tier = 1
            if callback_number is None:
                tier = escalations.starting_tier(
                    session,
                    self.router,
                    self.config,
                    caller_number=caller_number,
                    ivr_choice=ivr_choice,
                    skills=skills,
                    language=language,
                    now=utc(now),
                )
            row = HotlineCall(
                min_tier=tier,
                caller_number=caller_number,
                pbx_call_id=pbx_call_id,
                ivr_choice=ivr_choice,
                skills=dict(skills),
                language=language,
                priority=priority,
                arrived_at=utc(now),
                excluded=[],
                callback=callback_number is not None,
                callback_number=callback_number,
            )
            session.add(row)
            session.flush()
            decision = self.router.arrive(sync.routed_call(row, self.config), now)
            self._store(session, [decision] if decision else [])
            self._store(session, self.router.tick(now))
            return self._view(session, row)

    def answer(self, call_id: int) -> CallView:
        """The offered agent picked up."""
        with self._transaction() as session:
            row = self._row(session, call_id, "offered")
            row.state = "talking"
            row.leg_answered_at = utc(self._clock())
            row.answered_at = row.answered_at or row.leg_answered_at  # the first answer, kept on escalation
            return self._view(session, row)

    def reject(self, call_id: int, *, pause_agent: bool = True) -> CallView:
        """The offered agent rejected or did not answer: the call is re-offered, keeping its place."""
        with self._transaction() as session:
            row = self._row(session, call_id, "offered")
            agent_id = str(row.agent_id)
            now = self._clock()
            decisions = self.router.no_answer(str(call_id), now, pause_agent=pause_agent)
            row.state, row.agent_id, row.offered_at = "waiting", None, None
            row.excluded = sorted({*row.excluded, agent_id})
            session.flush()
            self._store(session, decisions)
            return self._view(session, row)

    def end(self, call_id: int) -> CallView:
        """The conversation ended (hang-up by either side after answering; an open consult is cancelled)."""
        with self._transaction() as session:
            row = self._row(session, call_id, "talking")
            self._end_consult(session, call_id)
            now = self._clock()
            talk = now - service.epoch_s(row.leg_answered_at or row.answered_at)
            decisions = self.router.end_call(str(call_id), now, talk_s=max(0.0, talk))
            row.state, row.ended_at = "ended", utc(now)
            session.flush()
            self._store(session, decisions)
            return self._view(session, row)

    def abandon(self, call_id: int) -> CallView:
        """The caller hung up before an agent answered (waiting, or while being offered)."""
        with self._transaction() as session:
            row = self._row(session, call_id, "waiting", "offered")
            now = self._clock()
            decisions: list[Assignment] = []
            if row.state == "offered":
                decisions = self.router.withdraw(str(call_id), now)
                row.agent_id = None
                session.flush()
            else:
                self.router.abandon(str(call_id))
            row.state, row.ended_at = "abandoned", utc(now)
            session.flush()
            self._store(session, decisions)
            return self._view(session, row)

    def request_callback(
        self,
        call_id: int,
        number: str | None = None,
        *,
        due_in_s: float | None = None,
        due_at: datetime | None = None,
    ) -> CallView:
        """The caller leaves the line but keeps their place; the agent it reaches calls them back. With
        `due_in_s` (or `due_at`) the promise is also recorded as a callback due then (routing.callbacks)."""
        with self._transaction() as session:
            row = self._row(session, call_id, "waiting")
            self.router.request_callback(str(call_id))
            row.callback, row.callback_number = True, number or row.caller_number
            if due_in_s is not None or due_at is not None:
                callbacks.request_callback(
                    session,
                    number=row.callback_number,
                    now=utc(self._clock()),
                    due_in=timedelta(seconds=due_in_s or 0.0),
                    due_at=due_at,
                    hotline_call_id=row.id,
                    skills=row.skills,
                    language=row.language,
                )
            return self._view(session, row)

    def set_agent_state(self, agent_id: int, status: str) -> AgentView:
        """available / break / offline, set by the agent or a supervisor (not on_call or wrap_up)."""
        if status not in ("available", "break", "offline"):
            raise HotlineInputError(f"status must be available, break or offline, not {status!r}")
        with self._transaction() as session:
            key = str(agent_id)
            agent = self.router.find_agent(key)
            if agent is None:
                raise HotlineNotFoundError(f"agent {agent_id} not found (or inactive)")
            if agent.status == AgentStatus.ON_CALL and status != "available":
                raise HotlineStateError(f"agent {agent_id} is on a call")
            decisions = self.router.set_status(key, AgentStatus(status), self._clock())
            self._store(session, decisions)
            return self._agent_view(agent_id)

    def tick(self) -> int:
        """Apply due wrap-up ends and relaxation steps (called periodically); returns assignments made."""
        if self._lease is not None and not self._lease.held:
            return 0  # the owner ticks
        with self._transaction() as session:
            now = self._clock()
            decisions = self.router.tick(now)
            self._store(session, decisions)
            if now - self._pruned_at >= CHANGE_LOG_KEEP_S:
                sync.forget_changes(session, before=utc(now - CHANGE_LOG_KEEP_S))
                self._pruned_at = now
            return len(decisions)

    # ----- reads -------------------------------------------------------------------------------------
    def call_view(self, call_id: int) -> CallView:
        with self._transaction() as session:
            row = session.get(HotlineCall, call_id)
            if row is None:
                raise HotlineNotFoundError(f"hotline call {call_id} not found")
            return self._view(session, row)

    def find_calls(self, *, pbx_call_id: str | None = None) -> list[CallView]:
        """The call the PBX knows as `pbx_call_id` (none or one), or without it every open call (waiting,
        offered, talking), oldest first: what a PBX adapter reconciles with its live channels."""
        with self._transaction() as session:
            if pbx_call_id is not None:
                found = service.find_hotline_call(session, pbx_call_id)
                rows = [found] if found is not None else []
            else:
                rows = service.open_hotline_calls(session)
            return [self._view(session, row) for row in rows]

    def agent_view(self, agent_id: int) -> AgentView:
        with self._transaction():
            return self._agent_view(agent_id)

    def decisions(self, call_id: int) -> list[DecisionView]:
        with self._factory() as session:
            return service.list_decisions(session, call_id)

    def escalations(self, call_id: int) -> list[EscalationView]:
        with self._factory() as session:
            return escalations.list_escalations(session, call_id)

    def stats(self) -> QueueStats:
        """Real-time queue figures (see `routing.service.queue_stats`)."""
        with self._transaction() as session:
            return service.queue_stats(session, self.router, self.config, now=self._clock())

    # ----- internals -----------------------------------------------------------------------------
    def _row(self, session: Session, call_id: int, *states: str) -> HotlineCall:
        row = session.get(HotlineCall, call_id, with_for_update=True)
        if row is None:
            raise HotlineNotFoundError(f"hotline call {call_id} not found")
        if row.state not in states:
            raise HotlineStateError(f"call {call_id} is {row.state}, expected {' or '.join(states)}")
        return row

    def _agent_view(self, agent_id: int) -> AgentView:
        view = service.agent_view(self.router, agent_id)
        if view is None:
            raise HotlineNotFoundError(f"agent {agent_id} not found (or inactive)")
        return view

    def _store(self, session: Session, decisions: list[Assignment]) -> None:
        consults.store_decisions(session, self.router, decisions)

    def _view(self, session: Session, row: HotlineCall) -> CallView:
        return service.call_view(session, self.router, self.config, row)
