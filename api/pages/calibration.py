"""Calibration pages: the sessions list with a form to open one, the blind scoring page (the call's
audio and transcript without the machine's findings, one verdict per scorecard item), and the results
once revealed. The same service functions as /api/calibrations (scoring.calibration)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from api.deps import IdPath, ScorecardDep, SessionDep, StaffPageUser, parse_id, visible_call
from api.pages.rendering import check_csrf, redirect, render
from models import CalibrationSession, Call, User
from scoring.calibration import (
    VERDICTS,
    create_session,
    get_session,
    list_sessions,
    may_reveal,
    own_verdicts,
    reveal,
    session_results,
    submit_verdicts,
)
from scoring.calibration_sets import list_sets, set_of
from scoring.exceptions import ReviewError
from scoring.workflow import STAFF_ROLES, may_see_agent

router = APIRouter()


async def calibration_form(request: Request) -> FormData:
    """The form, parsed up front (its field names depend on the scorecard or the staff list)."""
    return await request.form()


def _session(session: SessionDep, session_id: int, user: User) -> CalibrationSession:
    cal = get_session(session, session_id, user)
    if cal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "calibration not found")
    return cal


@router.get("/calibrations", response_class=HTMLResponse)
def calibrations_page(request: Request, session: SessionDep, user: StaffPageUser) -> HTMLResponse:
    call_id = parse_id(request.query_params.get("call_id", ""))
    call = session.get(Call, call_id) if call_id else None
    staff = [
        u
        for u in session.scalars(
            select(User).where(User.role.in_(STAFF_ROLES), User.active).order_by(User.username)
        )
        if call is None or may_see_agent(session, u, call.agent_id)
    ]
    return render(
        request,
        "calibrations.html",
        user,
        sessions=list_sessions(session, user),
        sets=list_sets(session, user),
        staff=staff,
        call_id=call_id or "",
        error=request.query_params.get("error", ""),
        call_ids=request.query_params.get("call_ids", ""),
        set_error=request.query_params.get("set_error", ""),
    )


@router.post("/calibrations")
def open_calibration(
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    call_id = parse_id(str(form.get("call_id", "")))
    if call_id is None:
        return redirect("/calibrations", error="Give the call's number")
    call = visible_call(session, user, call_id)
    members = [i for i in (parse_id(str(v)) for v in form.getlist("member_id")) if i is not None]
    try:
        cal = create_session(
            session,
            call=call,
            title=str(form.get("title", "")),
            member_ids=members,
            expert_id=parse_id(str(form.get("expert_id", ""))),
            by=user,
            at=datetime.now(UTC),
        )
    except ReviewError as exc:  # shown beside the form, which keeps the call
        return redirect("/calibrations", call_id=call.id, error=exc)
    return redirect(f"/calibrations/{cal.id}", msg="Calibration opened")


@router.get("/calibrations/{session_id}", response_class=HTMLResponse)
def calibration_page(
    session_id: IdPath, request: Request, session: SessionDep, user: StaffPageUser, card: ScorecardDep
) -> HTMLResponse:
    cal = _session(session, session_id, user)
    call = session.get(Call, cal.call_id)
    ids = [m.user_id for m in cal.members]
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    member = next((m for m in cal.members if m.user_id == user.id), None)
    cset = set_of(session, cal)
    return render(
        request,
        "calibration.html",
        user,
        cal=cal,
        call=call,
        items=card.items,
        verdicts=VERDICTS,
        names=names,
        member=member,
        mine=own_verdicts(session, cal, user),
        submitted=sum(m.submitted_at is not None for m in cal.members),
        cset=cset,
        # A set's calls are revealed together, on the set's page.
        can_reveal=cal.state == "open" and may_reveal(cal, user) and cset is None,
        results=session_results(session, cal, card) if cal.state == "revealed" else None,
        # Blind: the transcript's words only, none of the machine's findings.
        segments=list(call.segments) if call is not None else [],
    )


@router.post("/calibrations/{session_id}/verdicts")
def submit_form(
    session_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    card: ScorecardDep,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    cal = _session(session, session_id, user)
    verdicts = {
        item.id: (str(form.get(f"verdict__{item.id}", "")), str(form.get(f"comment__{item.id}", "")))
        for item in card.items
        if form.get(f"verdict__{item.id}")
    }
    back = f"/calibrations/{cal.id}"
    try:
        submit_verdicts(session, cal, user=user, verdicts=verdicts, scorecard=card, at=datetime.now(UTC))
    except ReviewError as exc:  # a form sent twice lands here too (ReviewStateError): the first counted
        return redirect(back, msg=exc)
    return redirect(back, msg="Verdicts submitted")


@router.post("/calibrations/{session_id}/reveal")
def reveal_form(
    session_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    cal = _session(session, session_id, user)
    try:
        reveal(session, cal, by=user, at=datetime.now(UTC))
    except ReviewError as exc:
        return redirect(f"/calibrations/{cal.id}", msg=exc)
    return redirect(f"/calibrations/{cal.id}", msg="Results revealed")
