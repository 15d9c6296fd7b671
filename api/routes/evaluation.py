"""An evaluation's conversation over JSON, through the same service functions as the call page: its
history (every verdict change, dispute and acknowledgement, oldest first), the comment thread, the
agent's acknowledgement, and each user's notifications. Another agent's (or team's) call answers 404."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, status

from api.deps import CurrentUser, IdPath, SessionDep, VisibleCall
from api.errors import ERROR_RESPONSES
from api.schemas_workspace import CommentIn, CommentRead, EventRead, NotificationRead, NotificationsRead
from models import Notification
from scoring.workflow import (
    acknowledge,
    add_comment,
    history,
    list_comments,
    list_notifications,
    mark_read,
    unread_count,
)

router = APIRouter(tags=["evaluation"], responses=ERROR_RESPONSES)


@router.get("/api/calls/{call_id}/history", response_model=list[EventRead])
def call_history(call: VisibleCall, session: SessionDep) -> list[EventRead]:
    return [EventRead.model_validate(e) for e in history(session, call.id)]


@router.get("/api/calls/{call_id}/comments", response_model=list[CommentRead])
def comments(call: VisibleCall, session: SessionDep) -> list[CommentRead]:
    return [CommentRead.model_validate(c) for c in list_comments(session, call.id)]


@router.post("/api/calls/{call_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentRead)
def post_comment(call: VisibleCall, body: CommentIn, session: SessionDep, user: CurrentUser) -> CommentRead:
    """A message in the call's thread; the other side is notified."""
    comment = add_comment(session, call=call, author=user, body=body.body, at=datetime.now(UTC))
    return CommentRead.model_validate(comment)


@router.post(
    "/api/calls/{call_id}/acknowledge", status_code=status.HTTP_201_CREATED, response_model=EventRead
)
def acknowledge_evaluation(call: VisibleCall, session: SessionDep, user: CurrentUser) -> EventRead:
    """The agent who handled the call has read its evaluation as it stands (409 when already done)."""
    return EventRead.model_validate(acknowledge(session, call=call, user=user, at=datetime.now(UTC)))


@router.get("/api/notifications", response_model=NotificationsRead)
def notifications(session: SessionDep, user: CurrentUser) -> NotificationsRead:
    """The caller's notifications, unread first, then newest (at most 100), and the unread count."""
    return NotificationsRead(
        unread=unread_count(session, user.id),
        notifications=[NotificationRead.model_validate(n) for n in list_notifications(session, user.id)],
    )


@router.post("/api/notifications/{notification_id}/read", response_model=NotificationRead)
def read_notification(notification_id: IdPath, session: SessionDep, user: CurrentUser) -> NotificationRead:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "notification not found")
    mark_read(session, user.id, at=datetime.now(UTC), notification_id=note.id)
    session.refresh(note)
    return NotificationRead.model_validate(note)


@router.post("/api/notifications/read", response_model=NotificationsRead)
def read_all(session: SessionDep, user: CurrentUser) -> NotificationsRead:
    mark_read(session, user.id, at=datetime.now(UTC))
    return notifications(session, user)
