"""What the call page shows about an evaluation: verdicts in the glossary's words, the score breakdown
(item, weight, verdict, points), talk metrics, disputes, the comment thread and the full history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, Dispute, Review, User
from qa.analysis import CallAnalysis
from scoring.effective import effective_verdicts
from scoring.glossary import label, state_word
from scoring.rescore import revisions
from scoring.scorecard import Scorecard, score_verdicts
from scoring.service import read_score
from scoring.workflow import acknowledgement, history, latest_reasons, list_comments


@dataclass(frozen=True)
class BreakdownRow:
    """One scorecard item as the page shows it. States are keys of `scoring.glossary.STATES`."""

    item: str
    weight: float
    weight_share: float  # 0–1 of the weights that count on this call
    critical: bool
    machine: str
    machine_doubt: bool  # the machine's verdict rests on an UNCERTAIN check or finding
    human: str | None
    points: float
    reason: str
    fatal: bool = False  # a critical item capping the score at 0 (auto-fail)
    na_allowed: bool = True  # a reviewer may mark it N/A


def _item_doubts(card: Scorecard, analysis: CallAnalysis | None) -> set[str]:
    """Items whose machine verdict rests on something QA marked UNCERTAIN (shown as "Needs review"
    in the verdict list, so the scorecard says the same)."""
    if analysis is None:
        return set()
    out = set()
    for item in card.items:
        kind, _, arg = item.verdict.partition(":")
        if kind == "check" and (check := analysis.checks.get(arg)) is not None and check.state == "uncertain":
            out.add(item.id)
        if kind == "no_violations" and any(
            v.state == "uncertain" and (not arg or v.category == arg) for v in analysis.violations
        ):
            out.add(item.id)
    return out


def breakdown(
    call: Call, review: Review | None, card: Scorecard, analysis: CallAnalysis | None, reasons: dict[str, str]
) -> tuple[list[BreakdownRow], float, str]:
    """The effective score's rows, its total (0–100), and why the total is below the points' sum (a
    failed critical item caps it) or ""."""
    assert call.score is not None
    machine = read_score(call.score)
    verdicts = effective_verdicts(machine, review)
    scored = score_verdicts(verdicts, card)
    human = {v.item: v.human_passed for v in review.verdicts} if review else {}
    doubts = _item_doubts(card, analysis)
    machine_verdicts = {i.item: i.passed for i in machine.items}
    defs = {d.id: d for d in card.items}
    counted = sum(i.weight for i in scored.items if i.passed is not None) or 1.0
    rows = [
        BreakdownRow(
            item=i.item,
            weight=i.weight,
            weight_share=i.weight / counted if i.passed is not None else 0.0,
            critical=i.critical,
            machine=state_word(machine_verdicts.get(i.item)),
            machine_doubt=i.item in doubts,
            human=state_word(human[i.item]) if i.item in human else None,
            points=i.points,
            # a reviewer's reason, else why the scorecard decided (a condition, an N/A not allowed)
            reason=reasons.get(i.item) or (i.note if i.note != "not applicable" else ""),
            fatal=i.critical and defs[i.item].cap == 0,
            na_allowed=defs[i.item].na_allowed,
        )
        for i in scored.items
    ]
    cap = ""
    points = sum(r.points for r in rows)
    if scored.total < points - 0.01:
        capped = [i.item for i in scored.items if i.critical and i.passed is False]
        cap = f"capped at {scored.total:.0f}: a critical item failed ({', '.join(label(c) for c in capped)})"
    return rows, scored.total, cap


@dataclass(frozen=True)
class Scoring:
    """One machine scoring of the call in its history: the first, or a re-score by `actor_id`."""

    at: datetime
    total: float
    version: str
    actor_id: int | None
    note: str
    kind: str = "scored"


def scorings(session: Session, call: Call) -> list[Scoring]:
    """Every score the call was given, oldest first: the ones re-scores replaced, then the current one."""
    if call.score is None:
        return []
    out: list[Scoring] = []
    actor, note = None, ""
    for rev in revisions(session, call.id):
        out.append(Scoring(rev.scored_at, rev.total, rev.scorecard_version, actor, note))
        actor, note = rev.replaced_by, rev.reason
    out.append(Scoring(call.score.created_at, call.score.total, call.score.scorecard_version, actor, note))
    return out


def workflow_context(session: Session, call: Call) -> dict[str, Any]:
    """Disputes, comments, history (verdict changes and scorings, oldest first), acknowledgement and the
    names of everyone in them."""
    events = history(session, call.id)
    scored = scorings(session, call)
    comments = list_comments(session, call.id)
    disputes = list(session.scalars(select(Dispute).where(Dispute.call_id == call.id).order_by(Dispute.id)))
    ids = {e.actor_id for e in events} | {c.author_id for c in comments} | {s.actor_id for s in scored}
    ids |= {d.author_id for d in disputes} | {d.resolver_id for d in disputes}
    ids.discard(None)
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return {
        "events": events,
        "timeline": sorted([*scored, *events], key=lambda step: step.at),
        "comments": comments,
        "disputes": disputes,
        "names": names,
        "acknowledged": acknowledgement(events),
        "reasons": latest_reasons(events),
    }
