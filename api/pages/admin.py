"""User administration page (admins): list, add, disable or enable, reset a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import AdminPageUser, IdPath, SessionDep, parse_id
from api.pages.rendering import check_csrf, redirect, render
from callqa.services.users import UserError, create_user, reset_password, set_active
from models import Agent, Team, User

router = APIRouter()


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: AdminPageUser, error: str = "") -> HTMLResponse:
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    teams = session.scalars(select(Team).order_by(Team.name)).all()
    return render(
        request,
        "users.html",
        user,
        users=session.scalars(select(User).order_by(User.username)).all(),
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        teams=teams,
        team_names={t.id: t.name for t in teams},
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
    team_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        create_user(
            session,
            username=username,
            password=password,
            role=role,
            agent_id=parse_id(agent_id),
            team_id=parse_id(team_id),
        )
    except UserError as exc:  # shown beside the form it came from, not as an error document
        return redirect("/admin/users", error=exc)
    return redirect("/admin/users", msg=f"Added {username}")


def _target(session: SessionDep, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "user not found")
    return target


@router.post("/admin/users/{user_id}/active")
def set_active_form(
    user_id: IdPath,
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    active: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    target = _target(session, user_id)
    try:
        set_active(session, target, active=active == "1", by=user)
    except UserError as exc:
        return redirect("/admin/users", error=exc)
    done = "enabled" if target.active else "disabled"
    return redirect("/admin/users", msg=f"{target.username} {done}")


@router.post("/admin/users/{user_id}/password")
def reset_password_form(
    user_id: IdPath,
    session: SessionDep,
    request: Request,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    target = _target(session, user_id)
    try:
        reset_password(session, target, password=password)
    except UserError as exc:
        return redirect("/admin/users", error=exc)
    return redirect("/admin/users", msg=f"New password set for {target.username}")
