"""Pydantic models of the webhook routes (subscriptions and their delivery log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, Field

from api.schemas import ORMModel


class WebhookCreate(BaseModel):
    url: AnyHttpUrl = Field(description="Where deliveries are POSTed (http or https).")
    events: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Event names (call.routed, call.ended, call.abandoned, call.scored, call.flagged, "
        "review.done, dispute.filed, dispute.resolved, live.alert) or ['*'].",
    )
    secret: str | None = Field(
        default=None, min_length=16, max_length=200, description="HMAC key; generated when absent."
    )


class WebhookRead(ORMModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    """The new subscription with its secret: shown this once, never listed."""

    secret: str


class DeliveryRead(ORMModel):
    """One delivery: `status` pending/delivered/failed; `attempts` made; the last answer's status code and
    error; when it is next tried (while pending)."""

    id: int
    subscription_id: int
    event: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
