"""The review workflow: flagging calls for QA staff, human verdicts beside the machine's (disputes:
scoring.disputes).

A call is flagged when a critical item fails, a check or a violation is UNCERTAIN, or the caller's
sentiment ends negative; otherwise a random sample keeps the machine honest: sampling plans
(scoring.sampling) when any is active, else a quota per agent per ISO week. A reviewer's verdicts
replace the machine's for the final score; both are kept, which is what per-rule agreement is computed
from. Functions flush; the caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Call, ItemVerdict, Review
from models import CallScore as CallScoreRow
from qa.analysis import CallAnalysis
from qa.service import load_analysis
from scoring.effective import effective_verdicts
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.glossary import label, state_word
from scoring.sampling import has_active_plan
from scoring.scorecard import CallScore, Scorecard, score_verdicts, scores_remark_kinds
from scoring.service import read_score
from scoring.versions import scorecard_version, scored_with
from scoring.workflow import agent_user_ids, notify, record_event

SAMPLE_REASON = "random sample"


@dataclass(frozen=True)
class FlagSeverity:
    """How much each reason adds to a flagged call's severity (the review queue's order, higher first)."""

    critical_failed: int
    """Per failed critical scorecard item."""
    uncertain: int
    """Once, when any check or violation is UNCERTAIN."""
    caller_negative_end: int
    """When the caller's sentiment ended negative."""


def flag_reasons(
    score: CallScore, analysis: CallAnalysis, weights: FlagSeverity, *, remark_kinds_scored: bool = True
) -> tuple[list[str], int]:
    """Why a scored call needs a human, and how urgently (severity from `weights`). A certain remark of a
    guessed kind (`Violation.category_sure` False) doubts its kind when `remark_kinds_scored` is true."""
    reasons: list[str] = []
    severity = 0
    if analysis.status == "no_speech":
        # Nothing the agent said was heard: every verdict is a guess, and the call counts in no average
        # until a person has listened (scoring.aggregates).
        reasons.append("no speech from the agent: listen before it counts")
        severity += weights.critical_failed
    for item in score.items:
        if item.critical and item.passed is False:
            reasons.append(f"critical item failed: {item.item}")
            severity += weights.critical_failed
    uncertain = sorted(n for n, c in analysis.checks.items() if c.state == "uncertain")
    doubted = {v.category for v in analysis.violations if v.state == "uncertain"}
    if remark_kinds_scored:
        doubted |= {v.category for v in analysis.violations if not v.category_sure}
    uncertain += sorted(doubted)
    if uncertain:
        reasons.append("uncertain verdict: " + ", ".join(uncertain))
        severity += weights.uncertain
    caller = analysis.sentiment.get("caller")
    if caller is not None and caller.end == "neg":
        reasons.append("caller sentiment ended negative")
        severity += weights.caller_negative_end
    return reasons, severity


def flag_call(
    session: Session,
    call: Call,
    *,
    weights: FlagSeverity,
    sample_per_week: int,
    sample_rate: float,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Review | None:
    """Put a freshly scored call in the queue if it needs review, or sample it: `sample_per_week`
    unflagged calls per agent per ISO week at most, each with chance `sample_rate` (0–1); `now` stands
    in for a call without a start time (default: the wall clock). Returns the review."""
    score = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == call.id))
    analysis = load_analysis(session, call.id)
    if score is None or analysis is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    card = scorecard_version(session, score.scorecard_id, score.scorecard_version)
    kinds = card is None or scores_remark_kinds(card)  # a card no longer stored: as if it did
    reasons, severity = flag_reasons(read_score(score), analysis, weights, remark_kinds_scored=kinds)
    existing = session.scalar(select(Review).where(Review.call_id == call.id))
    if existing is not None:
        if existing.state == "open":  # a re-score updates why it is flagged, never reopens a done review
            existing.reasons = reasons or existing.reasons
            existing.severity = severity
            existing.machine_total = score.total
        session.flush()
        return existing
    # Sampling plans, when any is active, replace the global quota (scoring.sampling draws them).
    sampled = (
        not reasons
        and not has_active_plan(session)
        and _sample(
            session, call, sample_per_week, sample_rate, now or datetime.now(UTC), rng or random.Random()
        )
    )
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


def _sample(session: Session, call: Call, quota: int, rate: float, now: datetime, rng: random.Random) -> bool:
    if quota <= 0 or call.agent_id is None or rng.random() >= rate:
        return False
    moment = call.started_at or now
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


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict on one item: passed (None = not applicable) and why."""

    passed: bool | None
    comment: str = ""


def submit_review(
    session: Session,
    review: Review,
    *,
    reviewer_id: int,
    decisions: dict[str, Decision],
    scorecard: Scorecard,
    now: datetime | None = None,
) -> float:
    """Record the reviewer's verdicts (items not decided keep the machine's) and the final score;
    `now` (default: the wall clock) stamps them. Each changed verdict is added to the call's history and
    the agent is told the evaluation is released.

    Raises ReviewStateError when a concurrent submission stored the same verdicts first (one verdict per
    item, a unique constraint); the session must then be rolled back."""
    now = now or datetime.now(UTC)
    final = apply_decisions(
        session, review, actor_id=reviewer_id, decisions=decisions, scorecard=scorecard, now=now
    )
    call = session.get(Call, review.call_id)
    notify(
        session,
        agent_user_ids(session, call.agent_id if call else None),
        kind="evaluation_released",
        call_id=review.call_id,
        text=f"Evaluation of call #{review.call_id} released: score {final:.0f}",
        at=now,
    )
    session.flush()
    return final


def apply_decisions(
    session: Session,
    review: Review,
    *,
    actor_id: int,
    decisions: dict[str, Decision],
    scorecard: Scorecard,
    now: datetime,
    why: str | None = None,
) -> float:
    """Store `decisions` on `review`, re-score on the scorecard version the call was scored with
    (`scorecard` only when that version is not stored), and append each changed verdict to the history
    with `why` (default: the decision's comment) as its reason."""
    row = session.scalar(select(CallScoreRow).where(CallScoreRow.call_id == review.call_id))
    if row is None:
        raise ReviewStateError(f"call {review.call_id} has no score")
    scorecard = scored_with(session, row.scorecard_id, row.scorecard_version, scorecard)
    score = read_score(row)
    machine = score.verdicts()
    _check_items(decisions, scorecard, machine)
    existing = {v.item: v for v in review.verdicts}
    changed: list[tuple[str, str | None, str, str]] = []
    for item, decision in decisions.items():
        verdict = existing.get(item)
        before = state_word(verdict.human_passed) if verdict else None
        if verdict is None:
            verdict = ItemVerdict(item=item, machine_passed=machine.get(item))
            review.verdicts.append(verdict)
            before = None if item not in machine else state_word(machine[item])
        elif verdict.human_passed == decision.passed and verdict.comment == decision.comment:
            continue
        after = state_word(decision.passed)
        changed.append((item, before, after, why if why is not None else decision.comment))
        verdict.human_passed = decision.passed
        verdict.comment = decision.comment
        verdict.reviewer_id = actor_id
        verdict.at = now
    review.state = "done"
    review.reviewed_at = now
    review.final_total = score_verdicts(effective_verdicts(score, review), scorecard).total
    for item, before, after, note in changed:
        record_event(
            session,
            call_id=review.call_id,
            kind="verdict",
            item=item,
            before=before,
            after=after,
            note=note,
            actor_id=actor_id,
            total=review.final_total,
            at=now,
        )
    review_id = review.id  # read now: after a failed flush the session can load nothing more
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submission saved this review first (roll back, reload)
        raise ReviewStateError(f"review {review_id} was just saved by another submission") from exc
    return review.final_total


def _check_items(
    decisions: dict[str, Decision], scorecard: Scorecard, machine: dict[str, bool | None]
) -> None:
    """Refuse unknown items, and a reviewer's N/A on an item that does not allow it (keeping the machine's
    own N/A is no choice: scoring counts it failed)."""
    known = {i.id for i in scorecard.items}
    unknown = sorted(set(decisions) - known)
    if unknown:
        raise ReviewError(f"unknown scorecard items {unknown}; items are {sorted(known)}")
    no_na = sorted(i.id for i in scorecard.items if not i.na_allowed and i.id in decisions)
    refused = [label(i) for i in no_na if decisions[i].passed is None and machine.get(i) is not None]
    if refused:
        raise ReviewError(f"{', '.join(refused)} cannot be marked N/A on this scorecard: choose Pass or Fail")


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
