"""An evaluation's life after scoring: its history (append-only), the comment thread, the agent's
acknowledgement, open disputes, and the in-app notifications they send. Functions flush; the caller
commits. `scoring.review` records its verdict changes and disputes through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from models import Agent, Call, Dispute, EvaluationComment, EvaluationEvent, Notification, TeamMember, User
from scoring.exceptions import ReviewError, ReviewStateError

STAFF_ROLES = ("qa", "supervisor", "admin")
"""Roles that work the review queue and resolve disputes (a supervisor only for their team's agents)."""
ALL_SEEING_ROLES = ("qa", "admin")
"""Roles that see every agent's calls, reviews and disputes, every calibration (single call or set) and
every sampling plan; a supervisor sees their team's, others their own."""
CHANGES = ("verdict", "dispute_upheld")
"""Event kinds that change the evaluation an agent acknowledged (so they may acknowledge again)."""


def record_event(
    session: Session,
    *,
    call_id: int,
    kind: str,
    actor_id: int | None,
    at: datetime,
    item: str | None = None,
    before: str | None = None,
    after: str | None = None,
    note: str = "",
    total: float | None = None,
) -> EvaluationEvent:
    """Append one step to the call's evaluation history (see EvaluationEvent); never updated later."""
    event = EvaluationEvent(
        call_id=call_id,
        kind=kind,
        item=item,
        before=before,
        after=after,
        actor_id=actor_id,
        note=note,
        total=total,
        at=at,
    )
    session.add(event)
    return event


def history(session: Session, call_id: int) -> list[EvaluationEvent]:
    """Every step of the call's evaluation, oldest first."""
    stmt = select(EvaluationEvent).where(EvaluationEvent.call_id == call_id)
    return list(session.scalars(stmt.order_by(EvaluationEvent.at, EvaluationEvent.id)))


def latest_reasons(events: Iterable[EvaluationEvent]) -> dict[str, str]:
    """Per item, why its verdict is what it is now: the note of its last verdict change."""
    return {e.item: e.note for e in events if e.kind == "verdict" and e.item is not None}


def sees_all(user: User) -> bool:
    """Whether `user`'s role sees everything of its kind (ALL_SEEING_ROLES)."""
    return user.role in ALL_SEEING_ROLES


def visible_agent_ids(session: Session, user: User) -> list[int] | None:
    """The agents whose calls, reviews and disputes `user` may see: None for everyone's (qa, admin); a
    supervisor their team's agents (none without a team); an agent themselves."""
    if sees_all(user):
        return None
    if user.role == "supervisor":
        if user.team_id is None:
            return []
        return list(session.scalars(select(TeamMember.agent_id).where(TeamMember.team_id == user.team_id)))
    return [user.agent_id] if user.agent_id is not None else []


def may_see_agent(session: Session, user: User, agent_id: int | None) -> bool:
    """Whether `user` may see the calls of `agent_id` (None: a call no agent handled, staff of all only)."""
    scope = visible_agent_ids(session, user)
    return scope is None or (agent_id is not None and agent_id in scope)


def staff_ids(session: Session, agent_id: int | None = None) -> list[int]:
    """Active users who work the queue and resolve disputes for `agent_id`'s calls: QA staff and admins,
    and the supervisors of the agent's team."""
    team = (
        session.scalar(select(TeamMember.team_id).where(TeamMember.agent_id == agent_id))
        if agent_id
        else None
    )
    whom: ColumnElement[bool] = User.role.in_(ALL_SEEING_ROLES)
    if team is not None:
        whom = or_(whom, and_(User.role == "supervisor", User.team_id == team))
    stmt = select(User.id).where(whom, User.active)
    return list(session.scalars(stmt.order_by(User.id)))


def agent_user_ids(session: Session, agent_id: int | None) -> list[int]:
    """Active logins of the agent who handled a call (none for a call without an agent)."""
    if agent_id is None:
        return []
    stmt = select(User.id).where(User.agent_id == agent_id, User.role == "agent", User.active)
    return list(session.scalars(stmt))


def notify(
    session: Session, user_ids: Iterable[int], *, kind: str, call_id: int | None, text: str, at: datetime
) -> None:
    """One unread notification per user in `user_ids` (duplicates sent once)."""
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(user_id=user_id, kind=kind, call_id=call_id, text=text[:300], created_at=at))


def unread_count(session: Session, user_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return session.scalar(stmt) or 0


def list_notifications(session: Session, user_id: int, *, limit: int = 100) -> list[Notification]:
    """The user's notifications, unread first, then newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, user_id: int, *, at: datetime, notification_id: int | None = None) -> None:
    """Mark one (or, without `notification_id`, every) unread notification of the user read."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    session.execute(stmt.values(read_at=at))
    session.flush()


def add_comment(session: Session, *, call: Call, author: User, body: str, at: datetime) -> EvaluationComment:
    """A message in the call's evaluation thread. The agent's messages reach the call's reviewers (or all
    QA staff before anyone reviewed it); staff messages reach the agent."""
    text = body.strip()
    if not text:
        raise ReviewError("write something first")
    comment = EvaluationComment(call_id=call.id, author_id=author.id, body=text, created_at=at)
    session.add(comment)
    if author.role == "agent":
        reviewers = [e.actor_id for e in history(session, call.id) if e.kind == "verdict" and e.actor_id]
        recipients = reviewers or staff_ids(session, call.agent_id)
    else:
        recipients = agent_user_ids(session, call.agent_id)
    recipients = [r for r in recipients if r != author.id]
    notify(
        session,
        recipients,
        kind="comment",
        call_id=call.id,
        text=f"{author.username} commented on call #{call.id}: {text[:120]}",
        at=at,
    )
    session.flush()
    return comment


def list_comments(session: Session, call_id: int) -> list[EvaluationComment]:
    stmt = select(EvaluationComment).where(EvaluationComment.call_id == call_id)
    return list(session.scalars(stmt.order_by(EvaluationComment.created_at, EvaluationComment.id)))


def acknowledgement(events: list[EvaluationEvent]) -> EvaluationEvent | None:
    """The agent's acknowledgement of the evaluation as it stands, or None when there is none or the
    evaluation changed after it."""
    for event in reversed(events):
        if event.kind == "acknowledged":
            return event
        if event.kind in CHANGES:
            return None
    return None


def acknowledge(session: Session, *, call: Call, user: User, at: datetime) -> EvaluationEvent:
    """The agent who handled `call` confirms they have read its evaluation as it stands now."""
    if user.role != "agent" or user.agent_id is None or user.agent_id != call.agent_id:
        raise ReviewError("only the agent who handled the call acknowledges its evaluation")
    if call.score is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    if acknowledgement(history(session, call.id)) is not None:
        raise ReviewStateError("this evaluation is already acknowledged")
    event = record_event(session, call_id=call.id, kind="acknowledged", actor_id=user.id, at=at)
    session.flush()
    return event


def list_disputes(
    session: Session, *, state: str = "open", agent_ids: Iterable[int] | None = None
) -> list[tuple[Dispute, Call, Agent | None]]:
    """Disputes in `state` ("all" for every state) with their call and agent, oldest open first, newest
    resolved first; `agent_ids` limits them to those agents' calls."""
    stmt = select(Dispute, Call, Agent).join(Call, Call.id == Dispute.call_id).outerjoin(Agent)
    if state != "all":
        stmt = stmt.where(Dispute.state == state)
    if agent_ids is not None:
        stmt = stmt.where(Call.agent_id.in_(list(agent_ids)))
    order = (Dispute.created_at, Dispute.id) if state == "open" else (Dispute.id.desc(),)
    return [(d, c, a) for d, c, a in session.execute(stmt.order_by(*order))]
