"""Calibration over JSON: staff (qa, supervisor, admin) open a session on a call for chosen reviewers,
each member submits verdicts blind (only their own are shown back), and the creator, the expert or an
admin reveal it; then every member sees agreement per item, against the key and the machine."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.deps import IdPath, ScorecardDep, SessionDep, StaffUser, visible_call
from api.errors import ERROR_RESPONSES
from api.schemas_workspace import (
    CalibrationCreate,
    CalibrationMemberRead,
    CalibrationRead,
    CalibrationResultsRead,
    CalibrationScoresIn,
    CalibrationVerdictIn,
)
from models import CalibrationSession, User
from scoring.calibration import (
    create_session,
    get_session,
    list_sessions,
    own_verdicts,
    reveal,
    session_results,
    submit_verdicts,
)
from scoring.glossary import label
from scoring.scorecard import Scorecard

router = APIRouter(prefix="/api/calibrations", tags=["calibration"], responses=ERROR_RESPONSES)


def calibration_read(
    session: SessionDep, cal: CalibrationSession, user: User, card: Scorecard
) -> CalibrationRead:
    """The session as `user` may see it: everyone's progress, their own verdicts, results once revealed."""
    names = dict(
        session.execute(
            select(User.id, User.username).where(User.id.in_([m.user_id for m in cal.members]))
        ).all()
    )
    results = None
    if cal.state == "revealed":
        labels = {i.id: label(i.id) for i in card.items}
        results = CalibrationResultsRead.of(session_results(session, cal, card), labels)
    return CalibrationRead(
        id=cal.id,
        call_id=cal.call_id,
        title=cal.title,
        state=cal.state,
        expert_id=cal.expert_id,
        created_by=cal.created_by,
        created_at=cal.created_at,
        members=[
            CalibrationMemberRead(
                user_id=m.user_id, username=names.get(m.user_id, ""), submitted=m.submitted_at is not None
            )
            for m in cal.members
        ],
        mine={
            item: CalibrationVerdictIn(verdict=v.verdict, comment=v.comment)
            for item, v in own_verdicts(session, cal, user).items()
        },
        results=results,
    )


def _session(session: SessionDep, session_id: int, user: User) -> CalibrationSession:
    cal = get_session(session, session_id, user)
    if cal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "calibration not found")
    return cal


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CalibrationRead)
def open_calibration(
    body: CalibrationCreate, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> CalibrationRead:
    call = visible_call(session, user, body.call_id)
    cal = create_session(
        session,
        call=call,
        title=body.title,
        member_ids=body.member_ids,
        expert_id=body.expert_id,
        by=user,
        at=datetime.now(UTC),
    )
    return calibration_read(session, cal, user, card)


@router.get("", response_model=list[CalibrationRead])
def calibrations(session: SessionDep, user: StaffUser, card: ScorecardDep) -> list[CalibrationRead]:
    """The sessions the caller is in or created (qa and admin: all), newest first."""
    return [calibration_read(session, cal, user, card) for cal in list_sessions(session, user)]


@router.get("/{session_id}", response_model=CalibrationRead)
def calibration(
    session_id: IdPath, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> CalibrationRead:
    return calibration_read(session, _session(session, session_id, user), user, card)


@router.post("/{session_id}/verdicts", response_model=CalibrationRead)
def submit(
    session_id: IdPath, body: CalibrationScoresIn, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> CalibrationRead:
    """A member's verdicts, once (409 when they already submitted, or the session is revealed)."""
    cal = _session(session, session_id, user)
    verdicts: dict[str, tuple[str, str]] = {item: (v.verdict, v.comment) for item, v in body.verdicts.items()}
    submit_verdicts(session, cal, user=user, verdicts=verdicts, scorecard=card, at=datetime.now(UTC))
    return calibration_read(session, cal, user, card)


@router.post("/{session_id}/reveal", response_model=CalibrationRead)
def reveal_results(
    session_id: IdPath, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> CalibrationRead:
    cal = _session(session, session_id, user)
    reveal(session, cal, by=user, at=datetime.now(UTC))
    return calibration_read(session, cal, user, card)
