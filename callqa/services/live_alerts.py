"""Supervisor-wall alerts of live calls, stored: recorded as the assistant raises them (so they outlive the
call and a restart, and reach webhooks as `live.alert` through the outbox), listed within a user's scope,
acknowledged once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import LiveAlert, utcnow
from transcription.recognizer import Speaker


class LiveAlertNotFoundError(LookupError):
    """No such alert, or one of an agent the user may not see."""


@dataclass(frozen=True)
class RaisedAlert:
    """An alert as the assistant raised it: `kind` (models.LIVE_ALERT_KINDS), `reason`, the approved
    wording `say`, `at_s` seconds into the call, and the words heard that raised it (`evidence`, said by
    `speaker`; None when the clock raised it and there are none)."""

    kind: str
    reason: str
    say: str
    at_s: float
    evidence: str
    speaker: Speaker | None = None


EVIDENCE_SPEAKER: dict[str, Speaker] = {"forbidden": "agent", "empathy": "caller"}
"""Whose words a stored alert's evidence is, by kind (the agent's remark, the caller's upset utterance;
the other kinds rest on silence or on the clock)."""


def record_alerts(
    session: Session, *, call_key: str, agent_id: int, raised: Sequence[RaisedAlert]
) -> list[LiveAlert]:
    """Store `raised` alerts of live call `call_key` handled by `agent_id` (flushed, ids assigned)."""
    rows = [
        LiveAlert(
            call_key=call_key,
            agent_id=agent_id,
            kind=a.kind,
            reason=a.reason,
            say=a.say,
            at_s=round(a.at_s, 3),
            evidence=a.evidence,
        )
        for a in raised
    ]
    session.add_all(rows)
    session.flush()
    return rows


def alerts_raised_since(session: Session, since: datetime) -> list[LiveAlert]:
    """Every stored alert raised at or after `since` that has evidence, oldest first."""
    query = select(LiveAlert).where(LiveAlert.raised_at >= since, LiveAlert.evidence != "")
    return list(session.scalars(query.order_by(LiveAlert.id)))


def list_alerts(
    session: Session,
    *,
    agent_ids: Collection[int] | None,
    open_only: bool = False,
    call_key: str | None = None,
    limit: int = 100,
) -> list[LiveAlert]:
    """Alerts of the agents in `agent_ids` (None: every agent's), newest first; `open_only`: not yet
    acknowledged; `call_key`: that call's only."""
    query = select(LiveAlert)
    if agent_ids is not None:
        query = query.where(LiveAlert.agent_id.in_(agent_ids))
    if open_only:
        query = query.where(LiveAlert.acknowledged_at.is_(None))
    if call_key is not None:
        query = query.where(LiveAlert.call_key == call_key)
    return list(session.scalars(query.order_by(LiveAlert.id.desc()).limit(limit)))


def acknowledge_alert(
    session: Session, alert_id: int, *, user_id: int, agent_ids: Collection[int] | None
) -> LiveAlert:
    """Mark an alert seen by `user_id`, who may see the agents in `agent_ids` (None: all); acknowledging
    it again changes nothing (the first acknowledgement is kept)."""
    row = session.get(LiveAlert, alert_id)
    if row is None or (agent_ids is not None and row.agent_id not in agent_ids):
        raise LiveAlertNotFoundError(f"live alert {alert_id} not found")
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by = utcnow(), user_id
        session.flush()
    return row
