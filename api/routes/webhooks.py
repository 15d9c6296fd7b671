"""Outgoing webhooks, managed by an admin: subscribe a URL to events, read a subscription's delivery log,
queue a failed delivery again (`callqa.services.webhooks`; signing and retries: README "Webhooks")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from api.deps import AdminUser, IdPath, SessionDep
from api.errors import ERROR_RESPONSES
from api.schemas_webhooks import DeliveryRead, WebhookCreate, WebhookCreated, WebhookRead
from callqa.services import webhooks

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"], responses=ERROR_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
def subscribe(body: WebhookCreate, request: Request, session: SessionDep, _user: AdminUser) -> WebhookCreated:
    """Subscribe; the answer holds the signing secret (given or generated), shown only here (it is stored
    sealed). 503 when the server has no CALLQA_WEBHOOK_SECRET_KEY to seal it with."""
    new = webhooks.create_subscription(
        session, url=str(body.url), events=body.events, secret=body.secret, box=request.app.state.webhook_box
    )
    return WebhookCreated(**WebhookRead.model_validate(new.row).model_dump(), secret=new.secret)


@router.get("", response_model=list[WebhookRead])
def subscriptions(session: SessionDep, _user: AdminUser) -> list[WebhookRead]:
    return [WebhookRead.model_validate(row) for row in webhooks.list_subscriptions(session)]


@router.delete("/{subscription_id}", response_model=WebhookRead)
def unsubscribe(subscription_id: IdPath, session: SessionDep, _user: AdminUser) -> WebhookRead:
    """Deactivate: nothing more is sent to it; its delivery log stays readable."""
    return WebhookRead.model_validate(webhooks.deactivate_subscription(session, subscription_id))


@router.get("/{subscription_id}/deliveries", response_model=list[DeliveryRead])
def deliveries(
    subscription_id: IdPath,
    session: SessionDep,
    _user: AdminUser,
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryRead]:
    """The delivery log, newest first: status, attempts, last status code and error."""
    rows = webhooks.list_deliveries(session, subscription_id, status=status, limit=limit)
    return [DeliveryRead.model_validate(row) for row in rows]


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryRead)
def retry(delivery_id: IdPath, session: SessionDep, _user: AdminUser) -> DeliveryRead:
    """Queue a failed delivery again with fresh attempts (422 unless it failed)."""
    return DeliveryRead.model_validate(webhooks.retry_delivery(session, delivery_id))
