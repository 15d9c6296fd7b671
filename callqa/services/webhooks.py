"""Outgoing webhooks: subscriptions, the events, and the outbox they are written to.

Events are recorded by a flush listener on the application's sessions (`install_outbox`), so the outbox
rows (`WebhookDelivery`, one per event and matching subscription) are written in the same transaction as
the change itself, from whichever process made it (server, worker, CLI, pages): a rolled-back change sends
nothing, a committed one is delivered even if the process dies right after (`callqa.services.webhook_sender`).

Events (`EVENTS`): `call.routed` (a hotline call offered to an agent, again after a reject), `call.ended`,
`call.abandoned`, `call.scored` (QA done, again when re-scored), `call.flagged` (queued for review),
`review.done`, `dispute.filed`, `dispute.resolved`, `live.alert` (a supervisor-wall alert of a live call,
when stored: `callqa.services.live_alerts`). Body: `{"id": uuid, "event": name, "occurred_at":
ISO 8601, "data": {...}}`; the same `id` goes to every subscriber (receivers dedupe on it, deliveries are
at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Call,
    CallScore,
    Dispute,
    HotlineCall,
    LiveAlert,
    Review,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from models.sealed import KeyNeededError, SealError, SecretBox

EVENTS = (
    "call.routed",
    "call.ended",
    "call.abandoned",
    "call.scored",
    "call.flagged",
    "review.done",
    "dispute.filed",
    "dispute.resolved",
    "live.alert",
)
ALL_EVENTS = "*"
SIGNATURE_HEADER = "X-Callqa-Signature"
TIMESTAMP_HEADER = "X-Callqa-Timestamp"
DELIVERY_HEADER = "X-Callqa-Delivery"
EVENT_HEADER = "X-Callqa-Event"


class WebhookError(LookupError):
    """An unknown subscription or delivery, or a change that does not fit its state."""


class WebhookNotFoundError(WebhookError):
    pass


class WebhookInputError(WebhookError):
    """An invalid subscription (unknown event name, not an http(s) URL)."""


# ----- signing ---------------------------------------------------------------------------------------
def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a stored payload."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of `"{timestamp}." + body` under the subscription's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time (and refuse old timestamps)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


# ----- subscriptions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subscribed:
    """A new subscription and its signing secret in plain text (shown once; stored only sealed)."""

    row: WebhookSubscription
    secret: str


class WebhookKeyError(KeyNeededError):
    """Webhook secrets cannot be sealed or opened: no key configured, or not the key that sealed them."""


def secret_box(key: str | None) -> SecretBox | None:
    """The box sealing webhook secrets under `key` (`CALLQA_WEBHOOK_SECRET_KEY`); None without a key."""
    return SecretBox(key) if key else None


def require_webhook_key(session: Session, box: SecretBox | None) -> None:
    """Refuse (WebhookKeyError, saying what to set) when subscriptions are stored and `box` is missing or
    does not open their secrets: a server started so would sign nothing, or sign with garbage."""
    stored = session.scalar(select(WebhookSubscription).order_by(WebhookSubscription.id).limit(1))
    if stored is None:
        return
    if box is None:
        raise WebhookKeyError(
            "webhook subscriptions are stored and CALLQA_WEBHOOK_SECRET_KEY is not set: set the key their "
            "signing secrets were sealed with (32+ characters) and start again"
        )
    try:
        box.open(stored.secret_sealed)
    except SealError as exc:
        raise WebhookKeyError(
            "CALLQA_WEBHOOK_SECRET_KEY does not open the stored webhook secrets: it is not the key they were "
            "sealed with (set that one again)"
        ) from exc


def create_subscription(
    session: Session,
    *,
    url: str,
    events: Iterable[str],
    box: SecretBox | None,
    secret: str | None = None,
) -> Subscribed:
    """Subscribe `url` to `events` (names from EVENTS, or "*"); without a secret one is generated. The
    secret is stored sealed in `box` (WebhookKeyError without one) and returned once in plain text."""
    if box is None:
        raise WebhookKeyError(
            "webhooks need CALLQA_WEBHOOK_SECRET_KEY (32+ characters) to store their secrets"
        )
    wanted = sorted(set(events))
    unknown = [e for e in wanted if e not in EVENTS and e != ALL_EVENTS]
    if not wanted or unknown:
        raise WebhookInputError(f"unknown event(s) {unknown or wanted}; known: {', '.join(EVENTS)} or *")
    if not url.startswith(("http://", "https://")):
        raise WebhookInputError(f"url must be http(s), not {url!r}")
    plain = secret or secrets.token_urlsafe(32)
    row = WebhookSubscription(url=url, events=wanted, secret_sealed=box.seal(plain))
    session.add(row)
    session.flush()
    return Subscribed(row, plain)


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def deactivate_subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    """No new deliveries; the pending ones and the log stay (the sender skips inactive subscriptions)."""
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise WebhookNotFoundError(f"webhook subscription {subscription_id} not found")
    row.active = False
    session.flush()
    return row


def list_deliveries(
    session: Session, subscription_id: int, *, status: str | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    """The delivery log of a subscription, newest first."""
    if session.get(WebhookSubscription, subscription_id) is None:
        raise WebhookNotFoundError(f"webhook subscription {subscription_id} not found")
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def retry_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    """Queue a failed delivery again with fresh attempts."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise WebhookNotFoundError(f"webhook delivery {delivery_id} not found")
    if row.status != "failed":
        raise WebhookInputError(f"delivery {delivery_id} is {row.status}, only failed ones are retried")
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    session.flush()
    return row


# ----- the outbox ------------------------------------------------------------------------------------
def install_outbox(factory: sessionmaker[Session]) -> None:
    """Record webhook events on every flush of `factory`'s sessions (see the module docstring)."""
    if not sa_event.contains(factory, "after_flush", _record_events):
        sa_event.listen(factory, "after_flush", _record_events)


def _changed(obj: object, attr: str) -> bool:
    return bool(inspect(obj).attrs[attr].history.has_changes())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _hotline_data(row: HotlineCall) -> dict[str, Any]:
    return {
        "hotline_call_id": row.id,
        "pbx_call_id": row.pbx_call_id,
        "agent_id": row.agent_id,
        "caller_number": row.caller_number,
        "skills": dict(row.skills),
        "language": row.language,
        "arrived_at": _iso(row.arrived_at),
        "answered_at": _iso(row.answered_at),
        "ended_at": _iso(row.ended_at),
    }


def _alert_data(row: LiveAlert) -> dict[str, Any]:
    return {
        "alert_id": row.id,
        "call_key": row.call_key,
        "agent_id": row.agent_id,
        "kind": row.kind,
        "reason": row.reason,
        "say": row.say,
        "evidence": row.evidence,
        "at_s": row.at_s,
        "raised_at": _iso(row.raised_at),
    }


def _events_of(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """The events in this flush: new rows and state changes of the watched tables."""
    found: list[tuple[str, dict[str, Any]]] = []
    for obj in [*session.new, *session.dirty]:
        new = obj in session.new
        if isinstance(obj, HotlineCall) and (new or _changed(obj, "state") or _changed(obj, "agent_id")):
            name = {"offered": "call.routed", "ended": "call.ended", "abandoned": "call.abandoned"}
            if obj.state in name and (obj.state != "offered" or obj.agent_id is not None):
                found.append((name[obj.state], _hotline_data(obj)))
        elif isinstance(obj, CallScore) and (new or _changed(obj, "total") or _changed(obj, "items")):
            found.append(
                (
                    "call.scored",
                    {"call_id": obj.call_id, "total": obj.total, "scorecard_id": obj.scorecard_id},
                )
            )
        elif isinstance(obj, Review) and new:
            found.append(
                (
                    "call.flagged",
                    {
                        "review_id": obj.id,
                        "call_id": obj.call_id,
                        "reasons": list(obj.reasons),
                        "severity": obj.severity,
                    },
                )
            )
        elif isinstance(obj, Review) and _changed(obj, "state") and obj.state == "done":
            found.append(
                (
                    "review.done",
                    {
                        "review_id": obj.id,
                        "call_id": obj.call_id,
                        "machine_total": obj.machine_total,
                        "final_total": obj.final_total,
                    },
                )
            )
        elif isinstance(obj, Dispute) and new:
            found.append(("dispute.filed", {"dispute_id": obj.id, "call_id": obj.call_id, "item": obj.item}))
        elif isinstance(obj, LiveAlert) and new:
            found.append(("live.alert", _alert_data(obj)))
        elif isinstance(obj, Dispute) and _changed(obj, "state") and obj.state != "open":
            found.append(
                (
                    "dispute.resolved",
                    {"dispute_id": obj.id, "call_id": obj.call_id, "item": obj.item, "state": obj.state},
                )
            )
    return found


def _record_events(session: Session, _flush_context: object) -> None:
    """after_flush: ids are assigned and the changes' history is still there. Rows go in through the
    flush's own connection (Core inserts: the ORM must not be touched while it flushes)."""
    found = _events_of(session)
    if not found:
        return
    connection = session.connection()
    subscriptions = connection.execute(
        select(WebhookSubscription.id, WebhookSubscription.events).where(WebhookSubscription.active)
    ).all()
    if not subscriptions:
        return
    call_ids = {data["call_id"] for _, data in found if "call_id" in data}
    calls = {
        row.id: row
        for row in connection.execute(
            select(Call.id, Call.agent_id, Call.pbx_call_id, Call.hotline_call_id).where(
                Call.id.in_(call_ids)
            )
        )
    }
    now = utcnow()
    rows = []
    for name, data in found:
        if (call := calls.get(data.get("call_id", -1))) is not None:
            data = {
                **data,
                "agent_id": call.agent_id,
                "pbx_call_id": call.pbx_call_id,
                "hotline_call_id": call.hotline_call_id,
            }
        payload = {"id": str(uuid.uuid4()), "event": name, "occurred_at": now.isoformat(), "data": data}
        for sub_id, events in subscriptions:
            if name in events or ALL_EVENTS in events:
                rows.append(
                    {
                        "subscription_id": sub_id,
                        "event": name,
                        "payload": payload,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
    if rows:
        connection.execute(insert(WebhookDelivery), rows)
