"""Callbacks for agents and supervisors: the list (overdue flagged), recording one, assigning it, and each
attempt's outcome. QA staff and admins see and act on all, a supervisor on their team's and the unassigned
ones; an agent sees the callbacks assigned or being offered to them and the unassigned ones, takes an
unassigned one, and records their own attempts. Any other callback answers 404, as a missing one does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, HTTPException, status

from api.deps import (
    STAFF_ROLES,
    CurrentUser,
    IdPath,
    SessionDep,
    SettingsDep,
    callback_in_scope,
    check_agent_scope,
)
from api.errors import ERROR_RESPONSES
from api.schemas import CallbackAssign, CallbackAttemptCreate, CallbackCreate
from models import User
from routing import callbacks
from routing.callbacks import CallbackView

router = APIRouter(prefix="/api/callbacks", tags=["callbacks"], responses=ERROR_RESPONSES)


def _visible(session: SessionDep, user: User, callback_id: int) -> CallbackView:
    """The callback if `user` may see it (404 otherwise)."""
    view = callbacks.read_callback(session, callback_id, now=datetime.now(UTC))
    if not callback_in_scope(session, user, view.agent_id, view.offered_to):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "callback not found")
    return view


@router.get("", response_model=list[CallbackView])
def list_callbacks(
    session: SessionDep,
    user: CurrentUser,
    state: Literal["open", "done", "all"] = "open",
    agent_id: int | None = None,
    overdue: bool = False,
) -> list[CallbackView]:
    """Callbacks by due time, soonest first; `overdue` only those open past their due time. An agent gets
    theirs and the unassigned ones."""
    mine = user.role not in STAFF_ROLES
    if mine:
        if agent_id is not None:
            check_agent_scope(user, agent_id)
        agent_id = user.agent_id
    elif agent_id is not None:
        check_agent_scope(user, agent_id)
    views = callbacks.list_callbacks(
        session,
        now=datetime.now(UTC),
        status=None if state == "all" else state,
        agent_id=agent_id,
        include_unassigned=mine,
        overdue_only=overdue,
    )
    if user.role == "supervisor":
        views = [v for v in views if callback_in_scope(session, user, v.agent_id, v.offered_to)]
    return views


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CallbackView)
def create_callback(
    body: CallbackCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> CallbackView:
    """Promise a callback: due at `due_at`, or CALLQA_CALLBACK_DUE_DAYS from now."""
    if body.agent_id is not None:
        check_agent_scope(user, body.agent_id)
    now = datetime.now(UTC)
    row = callbacks.request_callback(
        session,
        number=body.number,
        now=now,
        due_in=timedelta(days=settings.callback_due_days),
        due_at=body.due_at,
        skills=body.skills,
        language=body.language,
        note=body.note,
        agent_id=body.agent_id,
    )
    return callbacks.callback_view(row, now=now)


@router.get("/{callback_id}", response_model=CallbackView)
def get_callback(callback_id: IdPath, session: SessionDep, user: CurrentUser) -> CallbackView:
    return _visible(session, user, callback_id)


@router.post("/{callback_id}/assign", response_model=CallbackView)
def assign_callback(
    callback_id: IdPath, body: CallbackAssign, session: SessionDep, user: CurrentUser
) -> CallbackView:
    """Give the callback to an agent (or back to anyone). An agent may only take an unassigned one."""
    view = _visible(session, user, callback_id)
    if user.role not in STAFF_ROLES and (body.agent_id != user.agent_id or view.agent_id is not None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an agent may only take an unassigned callback")
    if user.role == "supervisor" and body.agent_id is not None:
        check_agent_scope(user, body.agent_id)  # only to their team's agents
    callbacks.assign_callback(session, callback_id, agent_id=body.agent_id)
    return callbacks.read_callback(session, callback_id, now=datetime.now(UTC))


@router.post("/{callback_id}/attempts", response_model=CallbackView)
def record_attempt(
    callback_id: IdPath,
    body: CallbackAttemptCreate,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> CallbackView:
    """One try: reached (done), no answer (open until CALLQA_CALLBACK_MAX_ATTEMPTS unanswered tries), or
    closed (done without reaching the customer). An agent's try makes the callback theirs."""
    _visible(session, user, callback_id)
    now = datetime.now(UTC)
    callbacks.record_attempt(
        session,
        callback_id,
        outcome=body.outcome,
        agent_id=user.agent_id if user.role not in STAFF_ROLES else None,
        now=now,
        max_attempts=settings.callback_max_attempts,
        note=body.note,
    )
    return callbacks.read_callback(session, callback_id, now=now)
