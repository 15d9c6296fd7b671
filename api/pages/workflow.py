"""The evaluation's conversation: comment threads, the agent's acknowledgement, the disputes page for
QA staff, and everyone's notifications (the header shows the unread count)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import IdPath, PageUser, SessionDep, StaffPageUser, visible_call
from api.pages.rendering import check_csrf, redirect, render
from models import Notification, User
from scoring.workflow import (
    acknowledge,
    add_comment,
    list_disputes,
    list_notifications,
    mark_read,
    visible_agent_ids,
)

router = APIRouter()

DISPUTE_FILTERS = ("open", "upheld", "rejected", "all")


@router.post("/calls/{call_id}/comments")
def comment_form(
    call_id: IdPath,
    session: SessionDep,
    request: Request,
    user: PageUser,
    csrf: Annotated[str, Form()],
    body: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    call = visible_call(session, user, call_id)
    add_comment(session, call=call, author=user, body=body, at=datetime.now(UTC))
    return redirect(f"/calls/{call.id}", fragment="thread-h", msg="Message posted")


@router.post("/calls/{call_id}/acknowledge")
def acknowledge_form(
    call_id: IdPath, session: SessionDep, request: Request, user: PageUser, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    call = visible_call(session, user, call_id)
    acknowledge(session, call=call, user=user, at=datetime.now(UTC))
    return redirect(f"/calls/{call.id}", msg="Evaluation acknowledged")


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(
    request: Request, session: SessionDep, user: StaffPageUser, state: str = "open"
) -> HTMLResponse:
    if state not in DISPUTE_FILTERS:
        state = "open"
    rows = list_disputes(session, state=state, agent_ids=visible_agent_ids(session, user))
    ids = {d.author_id for d, _, _ in rows} | {d.resolver_id for d, _, _ in rows}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids - {None}))).all())
    return render(
        request, "disputes.html", user, rows=rows, state=state, filters=DISPUTE_FILTERS, names=names
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    return render(request, "notifications.html", user, notes=list_notifications(session, user.id))


@router.post("/notifications/{notification_id}/open")
def open_notification(
    notification_id: IdPath,
    session: SessionDep,
    request: Request,
    user: PageUser,
    csrf: Annotated[str, Form()],
) -> Response:
    """Mark the notification read and go to what it is about."""
    check_csrf(request, csrf)
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "notification not found")
    mark_read(session, user.id, at=datetime.now(UTC), notification_id=note.id)
    target = f"/calls/{note.call_id}" if note.call_id is not None else "/notifications"
    if note.kind == "calibration":
        target = "/calibrations"
    return redirect(target)


@router.post("/notifications/read")
def read_all(session: SessionDep, request: Request, user: PageUser, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    mark_read(session, user.id, at=datetime.now(UTC))
    return redirect("/notifications", msg="All marked read")
