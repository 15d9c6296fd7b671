"""Persisting call scores. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CallScore as CallScoreRow
from scoring.scorecard import CallScore


def store_call_score(session: Session, *, call_id: int, score: CallScore) -> CallScoreRow:
    """Store (or replace) the score of `call_id`."""
    row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call_id))
    if row is None:
        row = CallScoreRow(call_id=call_id)
        session.add(row)
    data = score.to_json()
    row.total, row.items = data["total"], data["items"]
    row.scorecard_id, row.scorecard_version = data["scorecard_id"], data["scorecard_version"]
    session.flush()
    return row


def read_score(row: CallScoreRow) -> CallScore:
    """The typed record of a stored call score (the machine's; see `scoring.review.effective_total`)."""
    return CallScore.from_json(
        {
            "total": row.total,
            "items": row.items,
            "scorecard_id": row.scorecard_id,
            "scorecard_version": row.scorecard_version,
        }
    )
