"""The review queue page: filter by state, agent or own assignments; take a review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.deps import IdPath, SessionDep, StaffPageUser, parse_id
from api.pages.rendering import check_csrf, render
from models import Agent, Review, User
from scoring.review import assign, list_queue

router = APIRouter()


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    user: StaffPageUser,
    state: str = "open",
    agent_id: str = "",
    mine: bool = False,
) -> HTMLResponse:
    agent = parse_id(agent_id)
    rows = list_queue(session, state=state, assignee_id=user.id if mine else None, agent_id=agent)
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    users = {u.id: u.username for u in session.scalars(select(User))}
    return render(
        request,
        "queue.html",
        user,
        rows=rows,
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        user_names=users,
        state=state,
        agent_id=agent,
        mine=mine,
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
    assign(session, review, user.id)
    return RedirectResponse(f"/calls/{review.call_id}", status.HTTP_303_SEE_OTHER)
