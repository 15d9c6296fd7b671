"""The monthly appraisal: the agent's self-evaluation and their manager's evaluation, each on the parts of
the monthly composite (knowledge, skills, attitude, performance: 0–100), each totalled with the
scorecard's composite weights, and combined as `self_weight` × self + (1 − `self_weight`) × manager
(30/70 by default, settings `CALLQA_APPRAISAL_SELF_WEIGHT`). The measured monthly composite
(`scoring.aggregates.monthly_composite`) is reported beside them, not mixed in: it is what the calls
and QA staff's entries say, the appraisal what the agent and manager judge.

One evaluation of each kind per agent and period (the unique index); a second is refused
(AppraisalExistsError), never merged. Functions take a `Session` keyword-only, flush, never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import APPRAISAL_KINDS, Agent, Appraisal
from scoring.aggregates import monthly_composite, scored_calls
from scoring.scorecard import COMPOSITE_PARTS, Scorecard

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class AppraisalError(ValueError):
    """An evaluation that is invalid in itself (period not YYYY-MM, a part missing or outside 0–100)."""


class AppraisalExistsError(AppraisalError):
    """That agent already has an evaluation of that kind for that period."""


@dataclass(frozen=True)
class Evaluation:
    """One submitted evaluation: its parts (0–100), their total with the composite weights, who and when."""

    kind: str
    parts: dict[str, float]
    total: float
    comment: str
    by_user_id: int | None
    at: str


@dataclass(frozen=True)
class AppraisalReport:
    """An agent's appraisal for `period`: the two evaluations (None: not yet submitted), `combined`
    (0–100; None until both exist), the weights used, and the measured monthly composite beside it."""

    agent_id: int
    name: str
    period: str
    self_evaluation: Evaluation | None
    manager_evaluation: Evaluation | None
    self_weight: float
    combined: float | None
    composite: dict[str, Any]


def check_period(period: str) -> str:
    """`period` when it is a month YYYY-MM, else AppraisalError."""
    if not _PERIOD.match(period):
        raise AppraisalError(f"a period is a month YYYY-MM, not {period!r}")
    return period


def submit_evaluation(
    session: Session,
    *,
    agent_id: int,
    period: str,
    kind: str,
    parts: dict[str, float],
    comment: str,
    by_user_id: int | None,
    now: datetime,
) -> Appraisal:
    """Store the `kind` ("self" or "manager") evaluation of `agent_id` for `period`, with every composite
    part 0–100. AppraisalExistsError when one was already submitted (also when a concurrent request won:
    the unique index decides)."""
    check_period(period)
    if kind not in APPRAISAL_KINDS:
        raise AppraisalError(f"an evaluation is {' or '.join(APPRAISAL_KINDS)}, not {kind!r}")
    if set(parts) != set(COMPOSITE_PARTS) or not all(0 <= v <= 100 for v in parts.values()):
        raise AppraisalError(f"an evaluation gives each of {', '.join(COMPOSITE_PARTS)} from 0 to 100")
    row = Appraisal(
        agent_id=agent_id,
        period=period,
        kind=kind,
        parts={k: float(parts[k]) for k in COMPOSITE_PARTS},
        comment=comment,
        by_user_id=by_user_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise AppraisalExistsError(f"agent {agent_id} already has a {kind} evaluation for {period}") from None
    return row


def appraisal_report(
    session: Session, agent: Agent, period: str, scorecard: Scorecard, *, self_weight: float
) -> AppraisalReport:
    """The appraisal of `agent` for `period` (see the module docstring)."""
    check_period(period)
    rows = {
        r.kind: r
        for r in session.scalars(
            select(Appraisal).where(Appraisal.agent_id == agent.id, Appraisal.period == period)
        )
    }
    evaluations = {
        kind: _evaluation(rows[kind], scorecard) if kind in rows else None for kind in APPRAISAL_KINDS
    }
    own, manager = evaluations["self"], evaluations["manager"]
    combined = (
        round(self_weight * own.total + (1 - self_weight) * manager.total, 1)
        if own is not None and manager is not None
        else None
    )
    start = datetime.fromisoformat(f"{period}-01T00:00:00+00:00")
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    calls = scored_calls(session, since=start, until=end, agent_id=agent.id)
    return AppraisalReport(
        agent_id=agent.id,
        name=agent.name,
        period=period,
        self_evaluation=own,
        manager_evaluation=manager,
        self_weight=self_weight,
        combined=combined,
        composite=monthly_composite(session, agent.id, calls, period, scorecard),
    )


def list_appraisals(
    session: Session,
    period: str,
    scorecard: Scorecard,
    *,
    self_weight: float,
    agent_ids: list[int] | None = None,
) -> list[AppraisalReport]:
    """The appraisals for `period` of every active agent (or of `agent_ids` only), by name."""
    query = select(Agent).where(Agent.active).order_by(Agent.name)
    if agent_ids is not None:
        query = query.where(Agent.id.in_(agent_ids))
    return [
        appraisal_report(session, a, period, scorecard, self_weight=self_weight)
        for a in session.scalars(query)
    ]


def _evaluation(row: Appraisal, scorecard: Scorecard) -> Evaluation:
    weights = scorecard.composite_weights or {p: 1 / len(COMPOSITE_PARTS) for p in COMPOSITE_PARTS}
    return Evaluation(
        kind=row.kind,
        parts=dict(row.parts),
        total=round(sum(weights[p] * row.parts[p] for p in COMPOSITE_PARTS), 1),
        comment=row.comment,
        by_user_id=row.by_user_id,
        at=row.created_at.isoformat(),
    )
