"""Delivering the webhook outbox (`callqa.services.webhooks`): claim due deliveries, POST them signed,
record the outcome, retry with exponential backoff.

A claim is a conditional UPDATE that moves the delivery's `next_attempt_at` past the HTTP timeout and
counts the attempt, committed before the request is sent: two senders (two servers on one database) never
send one delivery at once, and a sender killed mid-request leaves a claim that simply expires, after which
the delivery is sent again (at least once; receivers dedupe on the body's `id`). A 2xx answer delivers; any
other answer or a transport error is retried after `base_s * 2^(attempts-1)` (at most `max_s`) until
`max_attempts`, then the delivery is `failed` with its last error.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    body_bytes,
    signature,
)
from models import WebhookDelivery, WebhookSubscription, utcnow
from models.sealed import SecretBox

log = logging.getLogger("callqa.services.webhook_sender")

ERROR_CHARS = 500
"""Characters of a failed answer's body (or the transport error) kept in the delivery log."""


@dataclass(frozen=True)
class DeliveryPolicy:
    """Seconds unless named otherwise."""

    timeout_s: float = 10.0
    base_s: float = 5.0
    max_s: float = 3600.0
    max_attempts: int = 10
    batch: int = 20

    def backoff_s(self, attempts: int) -> float:
        """The wait after the `attempts`-th failed attempt."""
        return float(min(self.max_s, self.base_s * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class _Claimed:
    id: int
    event: str
    payload: dict[str, object]
    url: str
    secret: str
    attempts: int


def _claim(factory: sessionmaker[Session], policy: DeliveryPolicy, box: SecretBox) -> list[_Claimed]:
    now = utcnow()
    lease = now + timedelta(seconds=policy.timeout_s + 5.0)
    claimed = []
    with factory() as session:
        due = session.execute(
            select(WebhookDelivery.id)
            .join(WebhookSubscription)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                WebhookSubscription.active,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(policy.batch)
        ).all()
        for (delivery_id,) in due:
            won = session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,  # not claimed by another sender meanwhile
                )
                .values(next_attempt_at=lease, attempts=WebhookDelivery.attempts + 1)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                row = session.get_one(WebhookDelivery, delivery_id)
                sub = session.get_one(WebhookSubscription, row.subscription_id)
                secret = box.open(sub.secret_sealed)
                claimed.append(_Claimed(row.id, row.event, row.payload, sub.url, secret, row.attempts))
        session.commit()
    return claimed


def _send(client: httpx.Client, item: _Claimed) -> tuple[int | None, str | None]:
    """POST one delivery; (status code, error text or None when delivered)."""
    body = body_bytes(item.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(item.secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: str(item.id),
        EVENT_HEADER: item.event,
    }
    try:
        resp = client.post(item.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    if 200 <= resp.status_code < 300:
        return resp.status_code, None
    return resp.status_code, f"HTTP {resp.status_code}: {resp.text}"[:ERROR_CHARS]


def _record(
    factory: sessionmaker[Session],
    item: _Claimed,
    code: int | None,
    error: str | None,
    policy: DeliveryPolicy,
) -> None:
    with factory() as session:
        row = session.get(WebhookDelivery, item.id)
        if row is None or row.status != "pending":
            return  # retried by an admin meanwhile, or deleted with its subscription
        row.last_status_code, row.last_error = code, error
        now = utcnow()
        if error is None:
            row.status, row.delivered_at = "delivered", now
        elif row.attempts >= policy.max_attempts:
            row.status = "failed"
        else:
            row.next_attempt_at = now + timedelta(seconds=policy.backoff_s(row.attempts))
        session.commit()


def deliver_due(
    factory: sessionmaker[Session], client: httpx.Client, policy: DeliveryPolicy, box: SecretBox
) -> int:
    """One pass: send every due delivery (up to `policy.batch`), signed with its subscription's secret
    opened from `box`; returns how many were attempted."""
    claimed = _claim(factory, policy, box)
    for item in claimed:
        code, error = _send(client, item)
        if error is not None:
            log.warning("webhook delivery %s (%s to %s) failed: %s", item.id, item.event, item.url, error)
        _record(factory, item, code, error, policy)
    return len(claimed)


def deliver_forever(
    factory: sessionmaker[Session],
    policy: DeliveryPolicy,
    box: SecretBox,
    stop: threading.Event,
    *,
    poll_s: float = 1.0,
) -> None:
    """Deliver until `stop` is set; a pass that fails (database trouble) is retried at the next poll."""
    with httpx.Client(timeout=policy.timeout_s, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                busy = deliver_due(factory, client, policy, box) >= policy.batch
            except Exception:
                log.exception("webhook delivery pass failed")
                busy = False
            if not busy:
                stop.wait(poll_s)
