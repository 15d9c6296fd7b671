"""The review queue page: filters, sort and pages served by the database (scoring.queue), bulk assign,
take a review, and CSV exports of the queue and of scores."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from api.deps import IdPath, SessionDep, StaffPageUser, parse_id
from api.pages.rendering import check_csrf, redirect, render
from models import Agent, Dispute, ItemVerdict, Review, User
from scoring.exceptions import ReviewError
from scoring.glossary import SEVERITY_BANDS
from scoring.queue import QUEUE_STATES, REASON_KINDS, SORTS, QueueFilter, assign, queue_page
from scoring.workflow import STAFF_ROLES, visible_agent_ids

router = APIRouter()

PER_PAGE = 50
FILTER_KEYS = ("state", "agent_id", "mine", "since", "until", "reason", "severity", "q", "sort")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def queue_filter(request: Request, user: User, scope: list[int] | None) -> QueueFilter:
    """The queue's filter from the query string (a value that does not parse is ignored, not an error),
    within `scope`, the agents whose reviews the user may see (scoring.workflow.visible_agent_ids)."""
    q = request.query_params
    state = q.get("state", "open")
    severity = q.get("severity", "")
    return QueueFilter(
        state=state if state in QUEUE_STATES else "open",
        agent_id=parse_id(q.get("agent_id", "")),
        agent_ids=None if scope is None else tuple(scope),
        assignee_id=user.id if q.get("mine") else None,
        since=_day(q.get("since", "")),
        until=_day(q.get("until", "")),
        reason=q.get("reason", "") if q.get("reason", "") in REASON_KINDS else "",
        min_severity=int(severity) if severity.isdigit() and len(severity) < 4 else None,
        search=q.get("q", "")[:200],
    )


def sort_key(request: Request) -> str:
    sort = request.query_params.get("sort", "severity")
    return sort if sort in SORTS else "severity"


@router.get("/queue", response_class=HTMLResponse)
def queue_view(request: Request, session: SessionDep, user: StaffPageUser) -> HTMLResponse:
    scope = visible_agent_ids(session, user)
    f = queue_filter(request, user, scope)
    page = queue_page(
        session,
        f,
        sort=sort_key(request),
        page=parse_id(request.query_params.get("page", "")) or 1,
        per_page=PER_PAGE,
        after=request.query_params.get("after", "")[:100],
        before=request.query_params.get("before", "")[:100],
    )
    review_ids = [r.id for r, _ in page.rows]
    # Who reviewed (the last verdict's author), beside who took the review.
    reviewed_by = dict(
        session.execute(
            select(ItemVerdict.review_id, ItemVerdict.reviewer_id)
            .where(ItemVerdict.review_id.in_(review_ids))
            .order_by(ItemVerdict.at, ItemVerdict.id)
        ).all()
    )
    disputed = set(
        session.scalars(
            select(Dispute.call_id).where(
                Dispute.state == "open", Dispute.call_id.in_([c.id for _, c in page.rows])
            )
        )
    )
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    agents = [a for a in agents if scope is None or a.id in scope]
    staff = list(
        session.scalars(select(User).where(User.role.in_(STAFF_ROLES), User.active).order_by(User.username))
    )
    if user.role == "supervisor":
        # Who a supervisor may hand a review to: QA staff, admins and the team's supervisors.
        staff = [s for s in staff if s.role != "supervisor" or s.team_id == user.team_id]
    kept = {k: v for k, v in request.query_params.items() if k in FILTER_KEYS and v}
    return render(
        request,
        "queue.html",
        user,
        page=page,
        f=f,
        sort=sort_key(request),
        params=kept,
        query=urlencode(kept),
        page_url=lambda n: "/queue?" + urlencode({**kept, "page": n}),
        cursor_url=lambda key, cursor: "/queue?" + urlencode({**kept, key: cursor}),
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        staff=staff,
        user_names=dict(session.execute(select(User.id, User.username)).all()),
        reviewed_by=reviewed_by,
        disputed=disputed,
        states=QUEUE_STATES,
        reasons=REASON_KINDS,
        sorts=SORTS,
        bands=SEVERITY_BANDS,
    )


@router.post("/queue/{review_id}/take")
def take_review(
    review_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    csrf: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    review = session.get(Review, review_id)
    if review is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "review not found")
    assign(session, review, user.id, by=user)
    return redirect(f"/calls/{review.call_id}")


async def bulk_form(request: Request) -> FormData:
    return await request.form()


@router.post("/queue/assign")
def bulk_assign(
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(bulk_form)],
) -> Response:
    """Assign every ticked review to one reviewer (or to nobody), then back to the same queue view."""
    check_csrf(request, str(form.get("csrf", "")))
    assignee = parse_id(str(form.get("assignee_id", "")))
    ids = [i for i in (parse_id(str(v)) for v in form.getlist("review_id")) if i is not None]
    reviews = session.scalars(select(Review).where(Review.id.in_(ids))).all()
    back = str(form.get("back", ""))
    back = back if back.startswith("/queue") else "/queue"
    try:
        for review in reviews:
            assign(session, review, assignee, by=user)
    except ReviewError as exc:
        # All or nothing, and said above the same queue view rather than as an error document.
        session.rollback()
        return redirect(back, msg=f"Nothing assigned: {exc}")
    return redirect(back, msg=f"Assigned {len(reviews)} reviews")
