"""The review workflow: flagging calls for QA staff, human verdicts beside the machine's, disputes.

A call is flagged when a critical item fails, a check or a violation is UNCERTAIN, or the caller's
sentiment ends negative; otherwise a random sample (a quota per agent per ISO week) keeps the machine
honest. A reviewer's verdicts replace the machine's for the final score; both are kept, which is what
per-rule agreement is computed from. Functions flush; the caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Call, CallScore, Dispute, ItemVerdict, QAResult, Review
from scoring.exceptions import ReviewError, ReviewStateError, ScorecardError
from scoring.scorecard import Scorecard, score_verdicts

SAMPLE_REASON = "random sample"


def flag_reasons(items: list[dict[str, Any]], details: dict[str, Any]) -> tuple[list[str], int]:
    """Why a scored call needs a human (and how urgently: severity, higher first)."""
    reasons: list[str] = []
    severity = 0
    for item in items:
        if item.get("critical") and item.get("passed") is False:
            reasons.append(f"critical item failed: {item['item']}")
            severity += 3
    uncertain = sorted(n for n, c in (details.get("checks") or {}).items() if c.get("state") == "uncertain")
    violations = details.get("violations") or []
    uncertain += sorted({v["category"] for v in violations if v.get("state") == "uncertain"})
    if uncertain:
        reasons.append("uncertain verdict: " + ", ".join(uncertain))
        severity += 1
    if ((details.get("sentiment") or {}).get("caller") or {}).get("end") == "neg":
        reasons.append("caller sentiment ended negative")
        severity += 2
    return reasons, severity


def flag_call(
    session: Session,
    call: Call,
    *,
    sample_per_week: int = 2,
    sample_rate: float = 0.25,
    rng: random.Random | None = None,
) -> Review | None:
    """Put a freshly scored call in the queue if it needs review (or is sampled); returns the review."""
    score = session.scalar(select(CallScore).where(CallScore.call_id == call.id))
    qa = session.scalar(select(QAResult).where(QAResult.call_id == call.id))
    if score is None or qa is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    reasons, severity = flag_reasons(score.items, qa.details)
    existing = session.scalar(select(Review).where(Review.call_id == call.id))
    if existing is not None:
        if existing.state == "open":  # a re-score updates why it is flagged, never reopens a done review
            existing.reasons = reasons or existing.reasons
            existing.severity = severity
            existing.machine_total = score.total
        session.flush()
        return existing
    sampled = not reasons and _sample(session, call, sample_per_week, sample_rate, rng or random.Random())
    if sampled:
        reasons = [SAMPLE_REASON]
    if not reasons:
        return None
    review = Review(
        call_id=call.id, reasons=reasons, severity=severity, machine_total=score.total, sampled=sampled
    )
    session.add(review)
    session.flush()
    return review


def _sample(session: Session, call: Call, quota: int, rate: float, rng: random.Random) -> bool:
    if quota <= 0 or call.agent_id is None or rng.random() >= rate:
        return False
    moment = call.started_at or datetime.now(UTC)
    week_start = (moment - timedelta(days=moment.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    taken = session.scalar(
        select(func.count(Review.id))
        .join(Call, Call.id == Review.call_id)
        .where(
            Call.agent_id == call.agent_id,
            Review.flagged_at >= week_start,
            Review.sampled,
        )
    )
    return (taken or 0) < quota


def list_queue(
    session: Session, *, state: str = "open", assignee_id: int | None = None, agent_id: int | None = None
) -> list[tuple[Review, Call]]:
    """Reviews in `state`, most severe first, then oldest first."""
    stmt = (
        select(Review, Call)
        .join(Call, Call.id == Review.call_id)
        .where(Review.state == state)
        .order_by(Review.severity.desc(), Review.flagged_at, Review.id)
    )
    if assignee_id is not None:
        stmt = stmt.where(Review.assignee_id == assignee_id)
    if agent_id is not None:
        stmt = stmt.where(Call.agent_id == agent_id)
    return [(r, c) for r, c in session.execute(stmt)]


def assign(session: Session, review: Review, user_id: int | None) -> Review:
    review.assignee_id = user_id
    session.flush()
    return review


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict on one item: passed (None = not applicable) and why."""

    passed: bool | None
    comment: str = ""


def machine_verdicts(score: CallScore) -> dict[str, bool | None]:
    return {str(i["item"]): i.get("passed") for i in score.items}


def effective_verdicts(score: CallScore, review: Review | None) -> dict[str, bool | None]:
    """The machine's verdicts with every human verdict of `review` applied."""
    verdicts = machine_verdicts(score)
    if review is not None:
        for v in review.verdicts:
            verdicts[v.item] = v.human_passed
    return verdicts


def submit_review(
    session: Session,
    review: Review,
    *,
    reviewer_id: int,
    decisions: dict[str, Decision],
    scorecard: Scorecard,
) -> float:
    """Record the reviewer's verdicts (items not decided keep the machine's) and the final score.

    Raises ReviewStateError when a concurrent submission stored the same verdicts first (one verdict per
    item, a unique constraint); the session must then be rolled back."""
    score = session.scalar(select(CallScore).where(CallScore.call_id == review.call_id))
    if score is None:
        raise ReviewStateError(f"call {review.call_id} has no score")
    _check_items(decisions, scorecard)
    machine = machine_verdicts(score)
    existing = {v.item: v for v in review.verdicts}
    for item, decision in decisions.items():
        row = existing.get(item) or ItemVerdict(item=item, machine_passed=machine.get(item))
        if row.id is None:
            review.verdicts.append(row)
        row.human_passed = decision.passed
        row.comment = decision.comment
        row.reviewer_id = reviewer_id
        row.at = datetime.now(UTC)
    review.state = "done"
    review.reviewed_at = datetime.now(UTC)
    review.final_total = score_verdicts(effective_verdicts(score, review), scorecard).total
    review_id = review.id  # read now: after a failed flush the session can load nothing more
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submission saved this review first (roll back, reload)
        raise ReviewStateError(f"review {review_id} was just saved by another submission") from exc
    return review.final_total


def _check_items(decisions: dict[str, Any], scorecard: Scorecard) -> None:
    known = {i.id for i in scorecard.items}
    unknown = sorted(set(decisions) - known)
    if unknown:
        raise ReviewError(f"unknown scorecard items {unknown}; items are {sorted(known)}")


def open_dispute(session: Session, *, call: Call, item: str, author_id: int, comment: str) -> Dispute:
    """An agent contests `item` of their call's evaluation. One open dispute per item, held by a unique
    index: a concurrent duplicate raises ReviewStateError like a sequential one (roll the session back)."""
    score = session.scalar(select(CallScore).where(CallScore.call_id == call.id))
    if score is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    if item not in machine_verdicts(score):
        raise ReviewError(f"{item!r} is not an item of this call's evaluation")
    if not comment.strip():
        raise ReviewError("say why the item is wrong")
    duplicate = session.scalar(
        select(Dispute).where(Dispute.call_id == call.id, Dispute.item == item, Dispute.state == "open")
    )
    if duplicate is not None:
        raise ReviewStateError(f"item {item!r} of this call is already disputed")
    dispute = Dispute(call_id=call.id, item=item, author_id=author_id, comment=comment.strip())
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent filing won the unique index (the session must roll back)
        raise ReviewStateError(f"item {item!r} of this call is already disputed") from exc
    return dispute


def resolve_dispute(
    session: Session,
    dispute: Dispute,
    *,
    resolver_id: int,
    upheld: bool,
    resolution: str,
    scorecard: Scorecard,
) -> Dispute:
    """Uphold (the item's verdict is reversed and the call re-scored) or reject the dispute."""
    if dispute.state != "open":
        raise ReviewStateError(f"dispute {dispute.id} is already {dispute.state}")
    dispute.state = "upheld" if upheld else "rejected"
    dispute.resolution = resolution
    dispute.resolver_id = resolver_id
    dispute.resolved_at = datetime.now(UTC)
    if upheld:
        score = session.scalar(select(CallScore).where(CallScore.call_id == dispute.call_id))
        if score is None:
            raise ScorecardError(f"call {dispute.call_id} lost its score")
        review = session.scalar(select(Review).where(Review.call_id == dispute.call_id))
        if review is None:
            review = Review(call_id=dispute.call_id, reasons=["dispute"], machine_total=score.total)
            session.add(review)
            session.flush()
        current = effective_verdicts(score, review).get(dispute.item)
        decisions = {v.item: Decision(v.human_passed, v.comment) for v in review.verdicts}
        decisions[dispute.item] = Decision(not current, f"dispute upheld: {resolution}")
        submit_review(session, review, reviewer_id=resolver_id, decisions=decisions, scorecard=scorecard)
    session.flush()
    return dispute


def agreement(session: Session) -> dict[str, dict[str, float]]:
    """Per scorecard item: reviewed count, machine = human count, agreement rate (0–1)."""
    rows = session.execute(select(ItemVerdict.item, ItemVerdict.machine_passed, ItemVerdict.human_passed))
    stats: dict[str, dict[str, float]] = {}
    for item, machine, human in rows:
        s = stats.setdefault(item, {"reviewed": 0, "agreed": 0, "rate": 0.0})
        s["reviewed"] += 1
        s["agreed"] += machine == human
    for s in stats.values():
        s["rate"] = s["agreed"] / s["reviewed"] if s["reviewed"] else 0.0
    return stats
