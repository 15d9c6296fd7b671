"""Re-scoring a call on another scorecard version (the active one, on demand) from its stored machine
verdicts: QA is not re-run. The score it had is kept as a `ScoreRevision`, a reviewer's verdicts carry over
to the items the new version still has, and the review queue learns the new machine total. Functions
flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Call, Review, ScoreRevision
from models import CallScore as CallScoreRow
from qa.service import load_analysis
from scoring.effective import effective_verdicts, is_reviewed
from scoring.exceptions import ReviewStateError
from scoring.review import FlagSeverity, flag_call
from scoring.scorecard import Scorecard, score_verdicts, verdicts_from_analysis
from scoring.service import read_score, store_call_score


@dataclass(frozen=True)
class Rescored:
    """A call's score before and after (0–100; `final_*` the reviewed total, None when not reviewed)."""

    call_id: int
    before: float
    after: float
    final_before: float | None
    final_after: float | None
    version_before: str
    version_after: str


def rescore_call_on(
    session: Session,
    call: Call,
    card: Scorecard,
    *,
    weights: FlagSeverity,
    actor_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> Rescored | None:
    """Score `call` on `card` from its stored machine verdicts, keeping the score before in the history;
    None (nothing changed) when it is already on that version or another re-score moved it first. A done
    review's final total is re-computed on `card` with the reviewer's verdicts; an open review's reasons
    and machine total follow the new score (it is never re-sampled). Raises ReviewStateError for a call
    not scored yet."""
    row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call.id))
    if row is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    if (row.scorecard_id, row.scorecard_version) == (card.id, card.version):
        return None
    now = now or datetime.now(UTC)
    old = read_score(row)
    # Claimed by a guarded UPDATE (still on the old version): of two re-scores at once (a double click,
    # the page beside the bulk command) one goes on and the other finds nothing to do.
    claimed = session.execute(
        update(CallScoreRow)
        .where(
            CallScoreRow.id == row.id,
            CallScoreRow.scorecard_id == old.scorecard_id,
            CallScoreRow.scorecard_version == old.scorecard_version,
        )
        .values(scorecard_id=card.id, scorecard_version=card.version)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(row)
        return None
    review = session.scalar(select(Review).where(Review.call_id == call.id))
    final_before = review.final_total if review is not None and is_reviewed(review) else None
    session.add(
        ScoreRevision(
            call_id=call.id,
            total=old.total,
            scorecard_id=old.scorecard_id,
            scorecard_version=old.scorecard_version,
            items=row.items,
            final_total=final_before,
            scored_at=row.created_at,
            replaced_at=now,
            replaced_by=actor_id,
            reason=reason,
        )
    )
    analysis = load_analysis(session, call.id)
    verdicts = verdicts_from_analysis(analysis, card) if analysis is not None else old.verdicts()
    new = score_verdicts(verdicts, card)
    store_call_score(session, call_id=call.id, score=new).created_at = now
    final_after = None
    if review is not None:
        review.machine_total = new.total
        if final_before is not None:
            review.final_total = final_after = score_verdicts(effective_verdicts(new, review), card).total
    flag_call(session, call, weights=weights, sample_per_week=0, sample_rate=0.0)
    session.flush()
    return Rescored(
        call.id, old.total, new.total, final_before, final_after, old.scorecard_version, card.version
    )


def revisions(session: Session, call_id: int) -> list[ScoreRevision]:
    """The scores `call_id` had before each re-score, oldest first."""
    stmt = select(ScoreRevision).where(ScoreRevision.call_id == call_id)
    return list(session.scalars(stmt.order_by(ScoreRevision.replaced_at, ScoreRevision.id)))


def calls_scored_with(session: Session, scorecard_id: str, version: str) -> list[int]:
    """Ids of the calls whose score was made with that version, oldest first."""
    stmt = select(CallScoreRow.call_id).where(
        CallScoreRow.scorecard_id == scorecard_id, CallScoreRow.scorecard_version == version
    )
    return list(session.scalars(stmt.order_by(CallScoreRow.call_id)))
