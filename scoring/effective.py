"""A call's score as it counts: the reviewer's result once a review is done, else the machine's.

Aggregates, pages and the JSON API read a call's score only through here, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, Review
from models import CallScore as CallScoreRow
from scoring.scorecard import CallScore
from scoring.service import read_score


@dataclass(frozen=True)
class EffectiveScore:
    """The machine's `score` record with the `total` (0–100) that counts and whether a person set it."""

    call_id: int
    score: CallScore
    total: float
    reviewed: bool
    scored_at: datetime


def is_reviewed(review: Review | None) -> bool:
    """A reviewer finished `review`, so its human result replaces the machine's."""
    return review is not None and review.state == "done" and review.final_total is not None


def effective_total(score: CallScore, review: Review | None) -> float:
    """The reviewer's final total once `review` is done, else the machine's `score.total` (0–100)."""
    if review is not None and is_reviewed(review) and review.final_total is not None:
        return review.final_total
    return score.total


def effective_verdicts(score: CallScore, review: Review | None) -> dict[str, bool | None]:
    """The machine's item verdicts with every human verdict of `review` applied."""
    verdicts = score.verdicts()
    if review is not None:
        for v in review.verdicts:
            verdicts[v.item] = v.human_passed
    return verdicts


def effective_score(row: CallScoreRow, review: Review | None) -> EffectiveScore:
    """The stored score `row` of a call with its `review` (None when it has none) applied."""
    score = read_score(row)
    return EffectiveScore(
        row.call_id, score, effective_total(score, review), is_reviewed(review), row.created_at
    )


def load_effective_score(session: Session, call_id: int) -> EffectiveScore | None:
    """The effective score of `call_id`, or None before it is scored."""
    row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call_id))
    if row is None:
        return None
    return effective_score(row, session.scalar(select(Review).where(Review.call_id == call_id)))


def list_agent_scores(
    session: Session, *, agent_id: int, since: datetime | None = None, limit: int = 200
) -> list[EffectiveScore]:
    """An agent's scored calls (started since `since`), newest first."""
    stmt = (
        select(CallScoreRow, Review)
        .join(Call, CallScoreRow.call_id == Call.id)
        .outerjoin(Review, Review.call_id == Call.id)
        .where(Call.agent_id == agent_id)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(Call.started_at >= since)
    return [effective_score(row, review) for row, review in session.execute(stmt)]
