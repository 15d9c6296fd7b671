"""Disputes: an agent contests an item of their call's evaluation, QA staff uphold or reject it. An upheld
dispute goes through the review workflow (scoring.review) like a reviewer's verdict. Functions flush; the
caller commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Call, Dispute, Review
from models import CallScore as CallScoreRow
from scoring.effective import effective_verdicts
from scoring.exceptions import ReviewError, ReviewStateError, ScorecardError
from scoring.glossary import label, state_word
from scoring.review import Decision, apply_decisions
from scoring.scorecard import Scorecard
from scoring.service import read_score
from scoring.workflow import notify, record_event, staff_ids


def open_dispute(
    session: Session, *, call: Call, item: str, author_id: int, comment: str, now: datetime | None = None
) -> Dispute:
    """An agent contests `item` of their call's evaluation; QA staff are notified. One open dispute per
    item, held by a unique index: a concurrent duplicate raises ReviewStateError like a sequential one
    (roll the session back)."""
    score = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call.id))
    if score is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    if item not in read_score(score).verdicts():
        raise ReviewError(f"{item!r} is not an item of this call's evaluation")
    if not comment.strip():
        raise ReviewError("say why the item is wrong")
    duplicate = session.scalar(
        select(Dispute).where(Dispute.call_id == call.id, Dispute.item == item, Dispute.state == "open")
    )
    if duplicate is not None:
        raise ReviewStateError(f"item {item!r} of this call is already disputed")
    now = now or datetime.now(UTC)
    review = session.scalar(select(Review).where(Review.call_id == call.id))
    current = effective_verdicts(read_score(score), review).get(item)
    dispute = Dispute(
        call_id=call.id,
        item=item,
        author_id=author_id,
        comment=comment.strip(),
        wanted_passed=not current,
        created_at=now,
    )
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent filing won the unique index (the session must roll back)
        raise ReviewStateError(f"item {item!r} of this call is already disputed") from exc
    # A call nobody flagged gets a queue entry, so the disputed call is reachable from the queue.
    if review is None:
        session.add(Review(call_id=call.id, reasons=[f"disputed: {label(item)}"], machine_total=score.total))
    record_event(
        session,
        call_id=call.id,
        kind="dispute_filed",
        item=item,
        before=state_word(current),
        after=state_word(dispute.wanted_passed),
        note=dispute.comment,
        actor_id=author_id,
        at=now,
    )
    notify(
        session,
        staff_ids(session, call.agent_id),
        kind="dispute_filed",
        call_id=call.id,
        text=f"New dispute on call #{call.id}: {label(item)}",
        at=now,
    )
    session.flush()
    return dispute


def resolve_dispute(
    session: Session,
    dispute: Dispute,
    *,
    resolver_id: int,
    upheld: bool,
    resolution: str,
    scorecard: Scorecard,
    now: datetime | None = None,
) -> Dispute:
    """Uphold (the item is set to the verdict the agent argued for, `Dispute.wanted_passed`, and the call
    re-scored) or reject the dispute; `now` (default: the wall clock) stamps the resolution. Upholding
    when a reviewer already gave that verdict changes nothing more; it never flips a verdict back. Both go
    into the call's history (the reviewer's earlier comment is kept) and the agent who filed it is
    notified."""
    now = now or datetime.now(UTC)
    if dispute.state != "open":
        raise ReviewStateError(f"dispute {dispute.id} is already {dispute.state}")
    dispute.state = "upheld" if upheld else "rejected"
    dispute.resolution = resolution
    dispute.resolver_id = resolver_id
    dispute.resolved_at = now
    record_event(
        session,
        call_id=dispute.call_id,
        kind=f"dispute_{dispute.state}",
        item=dispute.item,
        note=resolution,
        actor_id=resolver_id,
        at=now,
    )
    if upheld:
        row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == dispute.call_id))
        if row is None:
            raise ScorecardError(f"call {dispute.call_id} lost its score")
        score = read_score(row)
        review = session.scalar(select(Review).where(Review.call_id == dispute.call_id))
        if review is None:
            review = Review(call_id=dispute.call_id, reasons=["dispute"], machine_total=score.total)
            session.add(review)
            session.flush()
        wanted = True if dispute.wanted_passed is None else dispute.wanted_passed
        decisions = {v.item: Decision(v.human_passed, v.comment) for v in review.verdicts}
        # The reviewer's comment stays as written; why the verdict turned is the history's entry.
        kept = decisions.get(dispute.item)
        decisions[dispute.item] = Decision(wanted, kept.comment if kept else f"dispute upheld: {resolution}")
        apply_decisions(
            session,
            review,
            actor_id=resolver_id,
            decisions=decisions,
            scorecard=scorecard,
            now=now,
            why=f"dispute upheld: {resolution}",
        )
    if dispute.author_id is not None:
        notify(
            session,
            [dispute.author_id],
            kind="dispute_resolved",
            call_id=dispute.call_id,
            text=f"Your dispute of {label(dispute.item)} on call #{dispute.call_id} was {dispute.state}"
            + (f": {resolution}" if resolution else ""),
            at=now,
        )
    session.flush()
    return dispute
