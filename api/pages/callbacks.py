"""The callbacks page: the list (overdue first and flagged), take an unassigned one, record an attempt.
The same service functions and role rules as /api/callbacks; a supervisor sees and acts on their team's
agents' callbacks and the unassigned ones (anyone's to take), like their queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import STAFF_ROLES, IdPath, PageUser, SessionDep, SettingsDep, callback_in_scope
from api.pages.rendering import check_csrf, redirect, render
from models import Agent, User
from routing import callbacks

router = APIRouter()


def _may_act(session: Session, user: User, view: callbacks.CallbackView) -> bool:
    return callback_in_scope(session, user, view.agent_id, view.offered_to)


def overdue_for(session: Session, user: User, *, now: datetime) -> int:
    """Open callbacks past due that staff `user` sees: the center's, or a supervisor's team's and the
    unassigned ones."""
    if user.role != "supervisor":
        return callbacks.overdue_count(session, now=now)
    rows = callbacks.list_callbacks(session, now=now, overdue_only=True)
    return sum(1 for v in rows if callback_in_scope(session, user, v.agent_id, v.offered_to))


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks_page(
    request: Request, session: SessionDep, user: PageUser, state: str = "open", overdue: bool = False
) -> HTMLResponse:
    now = datetime.now(UTC)
    mine = user.role not in STAFF_ROLES
    rows = callbacks.list_callbacks(
        session,
        now=now,
        status=state if state in ("open", "done") else None,
        agent_id=user.agent_id if mine else None,
        include_unassigned=mine,
        overdue_only=overdue,
    )
    if user.role == "supervisor":
        rows = [v for v in rows if callback_in_scope(session, user, v.agent_id, v.offered_to)]
    names = {a.id: a.name for a in session.scalars(select(Agent))}
    return render(
        request,
        "callbacks.html",
        user,
        rows=rows,
        names=names,
        state=state,
        overdue=overdue,
        overdue_total=overdue_for(session, user, now=now) if not mine else None,
    )


@router.post("/callbacks/{callback_id}/take")
def take_callback(
    callback_id: IdPath, session: SessionDep, request: Request, user: PageUser, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    view = callbacks.read_callback(session, callback_id, now=datetime.now(UTC))
    if user.agent_id is None or view.agent_id is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an agent takes an unassigned callback")
    callbacks.assign_callback(session, callback_id, agent_id=user.agent_id)
    return redirect("/callbacks", msg=f"Callback {callback_id} is yours")


@router.post("/callbacks/{callback_id}/attempt")
def record_attempt(
    callback_id: IdPath,
    session: SessionDep,
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    now = datetime.now(UTC)
    if not _may_act(session, user, callbacks.read_callback(session, callback_id, now=now)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "callback not found")
    row = callbacks.record_attempt(
        session,
        callback_id,
        outcome=outcome,
        agent_id=user.agent_id if user.role not in STAFF_ROLES else None,
        now=now,
        max_attempts=settings.callback_max_attempts,
        note=note or None,
    )
    said = f"Callback {callback_id}: {outcome.replace('_', ' ')}" + (
        " (done)" if row.status == "done" else ""
    )
    return redirect("/callbacks", msg=said)
