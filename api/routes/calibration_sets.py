"""Calibration sets over JSON, the read side: the sets a user may open (their own and those they score in;
qa and admin every one), who has scored which call (never what), and the summary across the calls once
the set is revealed (409 before: scoring is blind). Opening, scoring and revealing are the pages' (and
/api/calibrations/{id}/verdicts for each call's session); the same service functions
(scoring.calibration_sets)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.deps import IdPath, ScorecardDep, SessionDep, StaffUser
from api.errors import ERROR_RESPONSES
from api.schemas_workspace import CalibrationSetCallRead, CalibrationSetRead, CalibrationSetSummaryRead
from models import CalibrationSet, User
from scoring.calibration_sets import get_set, list_sets, members_of, set_summary, submitted
from scoring.glossary import label

router = APIRouter(prefix="/api/calibration-sets", tags=["calibration"], responses=ERROR_RESPONSES)


def _set(session: SessionDep, set_id: int, user: User) -> CalibrationSet:
    cset = get_set(session, set_id, user)
    if cset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "calibration set not found")
    return cset


def set_read(cset: CalibrationSet) -> CalibrationSetRead:
    done = submitted(cset)
    return CalibrationSetRead(
        id=cset.id,
        title=cset.title,
        state=cset.state,
        expert_id=cset.expert_id,
        created_by=cset.created_by,
        created_at=cset.created_at,
        revealed_at=cset.revealed_at,
        members=members_of(cset),
        calls=[
            CalibrationSetCallRead(call_id=s.call_id, session_id=s.id, submitted=sorted(done[s.call_id]))
            for s in cset.sessions
        ],
    )


@router.get("", response_model=list[CalibrationSetRead])
def calibration_sets(session: SessionDep, user: StaffUser) -> list[CalibrationSetRead]:
    """The sets the caller scores in or created (qa and admin: all), newest first."""
    return [set_read(cset) for cset in list_sets(session, user)]


@router.get("/{set_id}", response_model=CalibrationSetRead)
def calibration_set(set_id: IdPath, session: SessionDep, user: StaffUser) -> CalibrationSetRead:
    return set_read(_set(session, set_id, user))


@router.get("/{set_id}/summary", response_model=CalibrationSetSummaryRead)
def calibration_set_summary(
    set_id: IdPath, session: SessionDep, user: StaffUser, card: ScorecardDep
) -> CalibrationSetSummaryRead:
    """The revealed set's summary: per reviewer and the machine against the key, per item, and overall
    (409 while the set is open)."""
    cset = _set(session, set_id, user)
    summary = set_summary(session, cset, card)
    ids = [r.rater_id for r in summary.raters]
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return CalibrationSetSummaryRead.of(cset.id, summary, names, {i.id: label(i.id) for i in card.items})
