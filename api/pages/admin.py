"""User administration page (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.deps import AdminPageUser, SessionDep, parse_id
from api.pages.rendering import check_csrf, render
from callqa.services.users import UserError, create_user
from models import Agent, User

router = APIRouter()


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: AdminPageUser, error: str = "") -> HTMLResponse:
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    return render(
        request,
        "users.html",
        user,
        users=session.scalars(select(User).order_by(User.username)).all(),
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        error=error,
    )


@router.post("/admin/users")
def add_user(
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    agent_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        create_user(
            session,
            username=username,
            password=password,
            role=role,
            agent_id=parse_id(agent_id),
        )
    except UserError as exc:  # shown beside the form it came from, not as an error document
        return RedirectResponse(f"/admin/users?error={exc}", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/admin/users?msg=Added {username}", status.HTTP_303_SEE_OTHER)
