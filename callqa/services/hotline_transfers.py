"""The hotline coordinator's hand-overs to a higher tier: a blind escalation, and a warm transfer (the agent
consults a colleague of that tier while the caller holds, then completes the transfer or cancels it).
`callqa.services.hotline.Hotline` inherits these; each runs under its lock and transaction like every other
event (router first, then the stored copy: `routing.escalations`, `routing.consults`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy.orm import Session

from callqa.services.hotline_errors import HotlineNotFoundError, HotlineStateError
from models import CallConsult, HotlineCall
from routing import consults, escalations, service
from routing.config import RoutingConfig
from routing.consults import ConsultView
from routing.engine import Router
from routing.model import Agent, Assignment
from routing.service import CallView, utc


class _HotlineCore(Protocol):
    """What the hand-overs use of `callqa.services.hotline.Hotline`."""

    config: RoutingConfig
    router: Router
    _clock: Callable[[], float]

    def _transaction(self) -> AbstractContextManager[Session]: ...
    def _row(self, session: Session, call_id: int, *states: str) -> HotlineCall: ...
    def _store(self, session: Session, decisions: list[Assignment]) -> None: ...
    def _view(self, session: Session, row: HotlineCall) -> CallView: ...


class HotlineTransfers:
    """Escalation and warm transfer (see the module docstring)."""

    def escalate(
        self: _HotlineCore,
        call_id: int,
        *,
        reason: str,
        to_tier: int | None = None,
        skills: dict[str, int] | None = None,
    ) -> CallView:
        """The agent talking on `call_id` hands it on to a higher tier (`to_tier`, default the next
        configured one) needing `skills` (default: that tier's skill queue for what it needed so far): the
        same call waits again, ahead of calls that arrived after it, for an agent of that tier or higher;
        the escalation and `reason` are stored (`routing.escalations`). HotlineStateError unless the call is
        talking with no consult open; EscalationError for a tier that is not configured or not above the
        agent's, or that no agent could take it at (the call then stays with its agent)."""
        with self._transaction() as session:
            row, agent = _talking(self, session, call_id)
            target, need = _target(self, row, agent, to_tier, skills)
            now = self._clock()
            talk = now - service.epoch_s(row.leg_answered_at or row.answered_at)
            decisions = self.router.escalate(
                str(call_id), now, min_tier=target, skills=need, talk_s=max(0.0, talk)
            )
            escalations.record_escalation(
                session,
                row,
                from_agent_id=int(agent.id),
                from_tier=agent.tier,
                to_tier=target,
                reason=reason,
                skills=need,
                now=utc(now),
            )
            self._store(session, decisions)
            return self._view(session, row)

    def consult(
        self: _HotlineCore,
        call_id: int,
        *,
        reason: str,
        to_tier: int | None = None,
        skills: dict[str, int] | None = None,
    ) -> ConsultView:
        """Warm transfer, first step: the agent talking on `call_id` puts the caller on hold and asks for a
        colleague of a higher tier (chosen as for `escalate`); the consult leg is offered to the best free
        one or waits ahead of later callers. The agent keeps the call until the transfer is completed.
        HotlineStateError unless the call is talking with no consult open; EscalationError as `escalate`."""
        with self._transaction() as session:
            row, agent = _talking(self, session, call_id)
            target, need = _target(self, row, agent, to_tier, skills)
            now = self._clock()
            consult = consults.request_consult(
                session,
                row,
                from_agent_id=int(agent.id),
                from_tier=agent.tier,
                to_tier=target,
                skills=need,
                reason=reason,
                now=utc(now),
            )
            decision = self.router.consult(consults.routed_leg(consult, row), now)
            self._store(session, [decision] if decision else [])
            return consults.consult_view(session, self.router, consult)

    def answer_consult(self: _HotlineCore, consult_id: int) -> ConsultView:
        """The colleague the consult was offered to picked up: both agents talk, the caller still holds."""
        with self._transaction() as session:
            consult = _consult(session, consult_id, "offered")
            consult.state, consult.answered_at = "talking", utc(self._clock())
            session.flush()
            return consults.consult_view(session, self.router, consult)

    def reject_consult(self: _HotlineCore, consult_id: int, *, pause_agent: bool = True) -> ConsultView:
        """The colleague did not answer (or rejected): the consult is offered to someone else or waits,
        that colleague skipped (and paused, unless told otherwise)."""
        with self._transaction() as session:
            consult = _consult(session, consult_id, "offered")
            now = self._clock()
            decisions = self.router.no_answer(consults.leg_id(consult_id), now, pause_agent=pause_agent)
            consults.not_answered(session, consult)
            self._store(session, decisions)
            return consults.consult_view(session, self.router, consult)

    def complete_transfer(self: _HotlineCore, consult_id: int) -> CallView:
        """Warm transfer, done: the consulted colleague (talking on the consult) takes the call over and
        the first agent drops (their talk time counted, wrap-up or the next call). One call record; the
        hand-over is logged as an escalation with the consult's reason. HotlineStateError unless the
        consult is talking."""
        with self._transaction() as session:
            consult = _consult(session, consult_id, "talking")
            row = self._row(session, consult.call_id, "talking")
            now = self._clock()
            talk = now - service.epoch_s(row.leg_answered_at or row.answered_at)
            decisions = self.router.complete_transfer(consults.leg_id(consult_id), now, talk_s=max(0.0, talk))
            consults.complete_consult(session, consult, row, now=utc(now))
            self._store(session, decisions)
            return self._view(session, row)

    def cancel_consult(self: _HotlineCore, consult_id: int) -> ConsultView:
        """The first agent takes the caller back without a transfer: the consulted colleague (if any) is
        free again at once; the call stays with the first agent. HotlineStateError unless it is open."""
        with self._transaction() as session:
            consult = _consult(session, consult_id, *consults.OPEN_STATES)
            _cancel(self, session, consult)
            return consults.consult_view(session, self.router, consult)

    def consult_view(self: _HotlineCore, consult_id: int) -> ConsultView:
        with self._transaction() as session:
            return consults.consult_view(session, self.router, _consult(session, consult_id))

    def open_consults(self: _HotlineCore, *, agent_id: int | None = None) -> list[ConsultView]:
        """The open consults, oldest first (with `agent_id`: those that agent asked for or is offered)."""
        with self._transaction() as session:
            return consults.list_open(session, self.router, agent_id=agent_id)

    def _end_consult(self: _HotlineCore, session: Session, call_id: int) -> None:
        """The call ends (the caller hung up on hold, or the agent ended it): its open consult is
        cancelled and the colleague freed."""
        consult = consults.open_consult(session, call_id)
        if consult is not None:
            _cancel(self, session, consult)


def _talking(hotline: _HotlineCore, session: Session, call_id: int) -> tuple[HotlineCall, Agent]:
    row = hotline._row(session, call_id, "talking")
    agent = hotline.router.find_agent(str(row.agent_id))
    if agent is None or row.agent_id is None:
        raise HotlineStateError(f"call {call_id} has no routed agent")
    if consults.open_consult(session, call_id) is not None:
        raise HotlineStateError(f"call {call_id} has a consult open: complete or cancel it first")
    return row, agent


def _target(
    hotline: _HotlineCore,
    row: HotlineCall,
    agent: Agent,
    to_tier: int | None,
    skills: dict[str, int] | None,
) -> tuple[int, dict[str, int]]:
    return escalations.escalation_target(
        hotline.router,
        hotline.config,
        agent_tier=agent.tier,
        to_tier=to_tier,
        skills=skills,
        needed=dict(row.skills),
        language=row.language,
    )


def _consult(session: Session, consult_id: int, *states: str) -> CallConsult:
    consult = session.get(CallConsult, consult_id, with_for_update=True)
    if consult is None:
        raise HotlineNotFoundError(f"consult {consult_id} not found")
    if states and consult.state not in states:
        raise HotlineStateError(f"consult {consult_id} is {consult.state}, expected {' or '.join(states)}")
    return consult


def _cancel(hotline: _HotlineCore, session: Session, consult: CallConsult) -> None:
    now = hotline._clock()
    decisions = hotline.router.cancel_consult(consults.leg_id(consult.id), now)
    consult.state, consult.ended_at = "cancelled", utc(now)
    session.flush()
    hotline._store(session, decisions)
