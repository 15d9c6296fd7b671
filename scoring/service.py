"""Persisting and listing call scores. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call
from models import CallScore as CallScoreRow
from scoring.scorecard import CallScore


def store_call_score(session: Session, *, call_id: int, score: CallScore) -> CallScoreRow:
    """Store (or replace) the score of `call_id`."""
    row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call_id))
    if row is None:
        row = CallScoreRow(call_id=call_id)
        session.add(row)
    row.total = score.total
    row.scorecard_id = score.scorecard_id
    row.scorecard_version = score.scorecard_version
    row.items = [item.to_dict() for item in score.items]
    session.flush()
    return row


def list_agent_scores(
    session: Session, *, agent_id: int, since: datetime | None = None, limit: int = 200
) -> Sequence[tuple[Call, CallScoreRow]]:
    """An agent's scored calls, newest first."""
    stmt = (
        select(Call, CallScoreRow)
        .join(CallScoreRow, CallScoreRow.call_id == Call.id)
        .where(Call.agent_id == agent_id)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(Call.started_at >= since)
    return [(call, score) for call, score in session.execute(stmt)]
