"""CSV exports for QA staff: the review queue as filtered on the page, and every scored call's score
(machine and final, with each item's verdict as it counts) for a spreadsheet or a BI tool."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import SessionDep, StaffPageUser
from api.pages.queue import queue_filter, sort_key
from models import Agent, Call, CallScore, Review, User
from scoring.effective import effective_score, effective_verdicts
from scoring.glossary import label, severity_label, state_label
from scoring.queue import iter_queue
from scoring.workflow import visible_agent_ids

router = APIRouter()


def _csv(rows: list[list[object]], filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _when(call: Call) -> str:
    return call.started_at.isoformat() if call.started_at else ""


@router.get("/queue.csv")
def queue_csv(request: Request, session: SessionDep, user: StaffPageUser) -> Response:
    agents: dict[int | None, str] = dict(session.execute(select(Agent.id, Agent.name)).all())
    users: dict[int | None, str] = dict(session.execute(select(User.id, User.username)).all())
    rows: list[list[object]] = [
        [
            "review_id",
            "call_id",
            "agent",
            "call_started",
            "state",
            "severity",
            "severity_label",
            "reasons",
            "flagged_at",
            "machine_score",
            "final_score",
            "assigned_to",
        ]
    ]
    f = queue_filter(request, user, visible_agent_ids(session, user))
    for review, call in iter_queue(session, f, sort=sort_key(request)):
        rows.append(
            [
                review.id,
                call.id,
                agents.get(call.agent_id, ""),
                _when(call),
                review.state,
                review.severity,
                severity_label(review.severity),
                "; ".join(review.reasons),
                review.flagged_at.isoformat(),
                review.machine_total,
                review.final_total,
                users.get(review.assignee_id, ""),
            ]
        )
    return _csv(rows, "review-queue.csv")


@router.get("/scores.csv")
def scores_csv(session: SessionDep, user: StaffPageUser) -> Response:
    """One row per scored call: machine and final score, and each item's verdict as it counts."""
    agents: dict[int | None, str] = dict(session.execute(select(Agent.id, Agent.name)).all())
    stmt = (
        select(CallScore, Call, Review)
        .join(Call, Call.id == CallScore.call_id)
        .outerjoin(Review, Review.call_id == Call.id)
        .order_by(Call.started_at, Call.id)
        .execution_options(yield_per=500)
    )
    scope = visible_agent_ids(session, user)
    if scope is not None:
        stmt = stmt.where(Call.agent_id.in_(scope))
    rows: list[list[object]] = []
    items: list[str] = []
    for row, call, review in session.execute(stmt):
        score = effective_score(row, review)
        verdicts = effective_verdicts(score.score, review)
        if not items:
            items = list(verdicts)
        rows.append(
            [
                call.id,
                agents.get(call.agent_id, ""),
                _when(call),
                score.score.total,
                score.total,
                "yes" if score.reviewed else "no",
                *(state_label(verdicts.get(i)) for i in items),
            ]
        )
    header: list[object] = ["call_id", "agent", "call_started", "machine_score", "final_score", "reviewed"]
    return _csv([header + [label(i) for i in items], *rows], "scores.csv")
