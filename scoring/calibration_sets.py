"""Calibration sets: several calls (e.g. a week's five) calibrated together by the same reviewers.

A set is one calibration session per call (scoring.calibration), all with the set's members and expert.
Each member scores each call blind on its session; nobody sees another's verdicts, the key or the
machine's verdicts until the set is revealed, which reveals every session of it at once (a session of a
set is never revealed alone). Then the summary across the calls (scoring.calibration_agreement) is shown
to the members. Functions flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import (
    CalibrationMember,
    CalibrationSession,
    CalibrationSet,
    CalibrationSetSession,
    CalibrationVerdict,
    Call,
    User,
)
from scoring.calibration import create_session, may_open, may_reveal
from scoring.calibration_agreement import CallVerdicts, SetSummary, summarise_set
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.glossary import state_word
from scoring.scorecard import Scorecard
from scoring.service import read_score
from scoring.workflow import notify, sees_all

MAX_CALLS = 20
"""Most calls in one set: a calibration is a meeting's worth of listening."""


def create_set(
    session: Session,
    *,
    calls: list[Call],
    title: str,
    member_ids: list[int],
    expert_id: int | None,
    by: User,
    at: datetime,
) -> CalibrationSet:
    """A set over `calls` (2 to MAX_CALLS different scored calls `by` may see) for the members (as for one
    session: at least two active staff who may see every call; `expert_id` one of them or None). Members
    are told once."""
    ids = {c.id for c in calls}
    if len(ids) < 2:
        raise ReviewError("a calibration set needs at least two different calls")
    if len(ids) > MAX_CALLS:
        raise ReviewError(f"a calibration set holds at most {MAX_CALLS} calls")
    title = title.strip()[:120] or "Calibration set"
    cset = CalibrationSet(title=title, created_by=by.id, expert_id=expert_id)
    seen: set[int] = set()
    for call in sorted(calls, key=lambda c: c.id):
        if call.id in seen:
            continue
        seen.add(call.id)
        cset.sessions.append(
            create_session(
                session,
                call=call,
                title=f"{title}: call #{call.id}",
                member_ids=member_ids,
                expert_id=expert_id,
                by=by,
                at=at,
                notify_members=False,
            )
        )
    session.add(cset)
    session.flush()
    notify(
        session,
        [i for i in sorted(set(member_ids)) if i != by.id],
        kind="calibration",
        call_id=None,
        text=f"Calibration set '{cset.title}': score {len(seen)} calls blind",
        at=at,
    )
    session.flush()
    return cset


def members_of(cset: CalibrationSet) -> list[int]:
    """The set's members (the same on every session), by user id."""
    return [m.user_id for m in cset.sessions[0].members] if cset.sessions else []


def list_sets(session: Session, user: User) -> list[CalibrationSet]:
    """Sets `user` is a member of or created (qa and admin: every set), newest first."""
    stmt = select(CalibrationSet).order_by(CalibrationSet.id.desc())
    if not sees_all(user):
        mine = (
            select(CalibrationSetSession.set_id)
            .join(CalibrationMember, CalibrationMember.session_id == CalibrationSetSession.session_id)
            .where(CalibrationMember.user_id == user.id)
        )
        stmt = stmt.where(or_(CalibrationSet.id.in_(mine), CalibrationSet.created_by == user.id))
    return list(session.scalars(stmt))


def get_set(session: Session, set_id: int, user: User) -> CalibrationSet | None:
    """The set if `user` may open it (see list_sets), else None."""
    cset = session.get(CalibrationSet, set_id)
    if cset is None:
        return None
    return cset if may_open(user, created_by=cset.created_by, member_ids=members_of(cset)) else None


def set_of(session: Session, cal: CalibrationSession) -> CalibrationSet | None:
    """The set `cal` belongs to, if any."""
    link = session.get(CalibrationSetSession, cal.id)
    return session.get(CalibrationSet, link.set_id) if link is not None else None


def submitted(cset: CalibrationSet) -> dict[int, set[int]]:
    """Per call id, the members who have submitted their verdicts (who, never what)."""
    return {s.call_id: {m.user_id for m in s.members if m.submitted_at is not None} for s in cset.sessions}


def reveal_set(session: Session, cset: CalibrationSet, *, by: User, at: datetime) -> None:
    """Reveal the set and every session of it (the creator, the expert or an admin may); every call needs
    two members' verdicts. ReviewStateError when already revealed (decided by one guarded UPDATE)."""
    if not may_reveal(cset, by):
        raise ReviewError("the set's creator or expert reveals it")
    short = [s.call_id for s in cset.sessions if sum(m.submitted_at is not None for m in s.members) < 2]
    if short:
        raise ReviewStateError(f"wait for two reviewers' verdicts on call(s) {', '.join(map(str, short))}")
    done = session.execute(
        update(CalibrationSet)
        .where(CalibrationSet.id == cset.id, CalibrationSet.state == "open")
        .values(state="revealed", revealed_at=at)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewStateError("this calibration set is already revealed")
    session.execute(
        update(CalibrationSession)
        .where(CalibrationSession.id.in_([s.id for s in cset.sessions]), CalibrationSession.state == "open")
        .values(state="revealed", revealed_at=at)
        .execution_options(synchronize_session=False)
    )
    notify(
        session,
        [u for u in members_of(cset) if u != by.id],
        kind="calibration",
        call_id=None,
        text=f"Calibration set '{cset.title}': results revealed",
        at=at,
    )
    session.flush()
    session.refresh(cset)
    for s in cset.sessions:
        session.refresh(s)


def set_summary(session: Session, cset: CalibrationSet, scorecard: Scorecard) -> SetSummary:
    """The revealed set's summary across its calls (ReviewStateError while open: scoring is blind)."""
    if cset.state != "revealed":
        raise ReviewStateError("the summary is shown once the set is revealed")
    ids = [s.id for s in cset.sessions]
    by_session: dict[int, dict[int, dict[str, str]]] = {i: {} for i in ids}
    for v in session.scalars(select(CalibrationVerdict).where(CalibrationVerdict.session_id.in_(ids))):
        by_session[v.session_id].setdefault(v.user_id, {})[v.item] = v.verdict
    calls = []
    for s in cset.sessions:
        call = session.get(Call, s.call_id)
        machine: dict[str, str] = {}
        if call is not None and call.score is not None:
            machine = {i: state_word(p) for i, p in read_score(call.score).verdicts().items()}
        calls.append(CallVerdicts(s.call_id, by_session[s.id], machine))
    return summarise_set(calls, cset.expert_id, scorecard)
