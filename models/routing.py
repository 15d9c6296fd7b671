"""Hotline routing state: calls in the queue, agents' presence, and the logged routing decisions.

The router itself lives in memory (routing/); these tables are its durable copy, so a restart rebuilds
the queue exactly, and a partial unique index makes it impossible to store two active calls for one agent.

What the router reads from other tables (agents, their skills and languages, QA scores) is versioned:
every transaction that changes such a fact — in any process, through any code path that uses the ORM —
raises `routing_sync.version` as its last write and logs the agents it touched in `routing_changes`
(the listeners at the end of this module). The hotline reads the version at the start of each event and
reloads the logged agents before it decides, so it never routes on a stale copy. The version row is
updated under its row lock, so changes commit in version order.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from models.base import Base, utcnow
from models.calls import Call
from models.people import Agent, AgentSkill
from models.quality import CallScore

HOTLINE_STATES = ("waiting", "offered", "talking", "ended", "abandoned")
AGENT_PRESENCE = ("available", "on_call", "wrap_up", "break", "offline")
_ACTIVE = "state IN ('offered', 'talking')"


class HotlineCall(Base):
    """A call that reached the hotline. Times are UTC; `skills` maps skill name → minimum level (after an
    escalation, what the tier it was sent to needs); `min_tier` is the lowest agent tier that may take it
    (1, or the tier it was escalated to); `answered_at` is the first answer, `leg_answered_at` when the
    agent now on it answered (they differ after an escalation)."""

    __tablename__ = "hotline_calls"
    __table_args__ = (
        Index(
            "uq_hotline_calls_agent_active",
            "agent_id",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
        Index("ix_hotline_calls_state", "state"),
        Index("uq_hotline_calls_pbx_call_id", "pbx_call_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_number: Mapped[str] = mapped_column(String(40))
    pbx_call_id: Mapped[str | None] = mapped_column(String(120))
    ivr_choice: Mapped[str | None] = mapped_column(String(40))
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    priority: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    callback: Mapped[bool] = mapped_column(default=False)
    callback_number: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    relax_level: Mapped[int] = mapped_column(default=0)
    min_tier: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    leg_answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class CallEscalation(Base):
    """A live call handed on by `from_agent_id` (tier `from_tier`) to agents of tier `to_tier` or higher,
    with the agent's reason; `skills_before` what the call needed until then (the call's row holds the
    skills it needs now). One row per escalation: a call escalated twice has two."""

    __tablename__ = "call_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("hotline_calls.id", ondelete="CASCADE"), index=True)
    from_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    from_tier: Mapped[int]
    to_tier: Mapped[int]
    skills_before: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


CONSULT_STATES = ("waiting", "offered", "talking", "completed", "cancelled")
_CONSULT_WITH_AGENT = "state IN ('offered', 'talking')"
_CONSULT_OPEN = "state IN ('waiting', 'offered', 'talking')"


class CallConsult(Base):
    """A warm transfer's consult leg: `from_agent_id` (tier `from_tier`), talking on call `call_id`, asks for
    an agent of `to_tier` or higher with `skills` while the caller holds; `to_agent_id` the agent it is
    offered to or talking with (`excluded` those who did not answer). It ends `completed` (that agent took
    the call over; `escalation_id` logs the hand-over) or `cancelled` (the first agent kept the caller, or
    the caller hung up). At most one open consult per call and one per consulted agent (partial unique
    indexes)."""

    __tablename__ = "call_consults"
    __table_args__ = (
        Index(
            "uq_call_consults_agent_active",
            "to_agent_id",
            unique=True,
            sqlite_where=text(_CONSULT_WITH_AGENT),
            postgresql_where=text(_CONSULT_WITH_AGENT),
        ),
        Index(
            "uq_call_consults_call_open",
            "call_id",
            unique=True,
            sqlite_where=text(_CONSULT_OPEN),
            postgresql_where=text(_CONSULT_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("hotline_calls.id", ondelete="CASCADE"))
    from_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    from_tier: Mapped[int]
    to_tier: Mapped[int]
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("call_escalations.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class AgentPresence(Base):
    """An agent's routing state and counters (what longest-idle, fewest-calls … rank on)."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="offline")
    idle_since: Mapped[datetime] = mapped_column(default=utcnow)
    wrap_until: Mapped[datetime | None]
    calls_handled: Mapped[int] = mapped_column(default=0)
    talk_time_s: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoutingDecision(Base):
    """One assignment with its explanation: candidates considered (id + rank key) and the reason."""

    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("hotline_calls.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    wait_s: Mapped[float]
    strategy: Mapped[str] = mapped_column(String(40))
    requirement: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    relax_level: Mapped[int] = mapped_column(default=0)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)


class RoutingSync(Base):
    """A single row (id 1): the version of the routing facts held outside the routing tables."""

    __tablename__ = "routing_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class RoutingChange(Base):
    """Agent `agent_id` changed (skills, languages, tier, extension, active, a QA score) at `version`;
    kept for a while (`at`) so that any router behind it can still catch up."""

    __tablename__ = "routing_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(index=True)
    agent_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)


_TOUCHED = "models.routing.touched"  # session.info: (agent ids, call ids of stored scores)


@event.listens_for(Session, "after_flush")
def _note_routing_facts(session: Session, _flush: UOWTransaction) -> None:
    """Remember the agents whose routing facts this flush wrote (the lists still show what was flushed)."""
    agents, scored_calls = session.info.setdefault(_TOUCHED, (set(), set()))
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Agent):
            agents.add(obj.id)
        elif isinstance(obj, AgentSkill) and obj.agent_id is not None:
            agents.add(obj.agent_id)
        elif isinstance(obj, CallScore):
            scored_calls.add(obj.call_id)


@event.listens_for(Session, "before_commit")
def _log_routing_changes(session: Session) -> None:
    """Raise the routing version and log the touched agents, as the transaction's last writes."""
    session.flush()  # the commit's own flush comes after this hook: include what it would write
    agents, scored_calls = session.info.pop(_TOUCHED, (set(), set()))
    if scored_calls:
        owners = session.execute(select(Call.agent_id).where(Call.id.in_(scored_calls))).scalars()
        agents |= {a for a in owners if a is not None}
    if not agents:
        return
    conn = session.connection()
    conn.execute(update(RoutingSync).where(RoutingSync.id == 1).values(version=RoutingSync.version + 1))
    version = conn.scalar(select(RoutingSync.version).where(RoutingSync.id == 1))
    if version is not None:
        now = utcnow()
        rows = [{"version": version, "agent_id": a, "at": now} for a in sorted(agents)]
        conn.execute(insert(RoutingChange), rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget_routing_facts(session: Session, _previous: object) -> None:
    session.info.pop(_TOUCHED, None)
