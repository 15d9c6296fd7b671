"""Calibration sessions: chosen reviewers score the same call blind, then compare.

While a session is open a member sees only the call and their own verdicts (not the machine's, not
another member's); once revealed everyone in it sees, per item, each member's verdict, the key (the
expert's verdict when the session has an expert, else the members' majority; no key on a tie), how many
agreed with it, and the machine's verdict beside it; per member, how far they were from the key (items
differing, Cohen's kappa over the items); and the members' agreement with each other (mean pairwise
Cohen's kappa, Light's kappa). Functions flush; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sklearn.metrics import cohen_kappa_score
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
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.glossary import state_word
from scoring.scorecard import Scorecard
from scoring.service import read_score
from scoring.workflow import STAFF_ROLES, may_see_agent, notify, sees_all

VERDICTS = ("pass", "fail", "na")


def create_session(
    session: Session,
    *,
    call: Call,
    title: str,
    member_ids: list[int],
    expert_id: int | None,
    by: User,
    at: datetime,
    notify_members: bool = True,
) -> CalibrationSession:
    """A session on `call` (scored, visible to `by`) for at least two active staff members who may see
    the call; `expert_id` (one of them, or None) holds the key. Members are told unless `notify_members`
    is False (a calibration set tells them once for all its calls)."""
    if call.score is None:
        raise ReviewStateError(f"call {call.id} has not been scored yet")
    if not may_see_agent(session, by, call.agent_id):
        raise ReviewError(f"call {call.id} is not in your team's calls")
    ids = sorted(set(member_ids))
    users = list(session.scalars(select(User).where(User.id.in_(ids))))
    if len(ids) < 2:
        raise ReviewError("a calibration needs at least two reviewers")
    if len(users) != len(ids) or any(u.role not in STAFF_ROLES or not u.active for u in users):
        raise ReviewError("calibration members are active qa, supervisor or admin users")
    if any(not may_see_agent(session, u, call.agent_id) for u in users):
        raise ReviewError("every member must be allowed to see the call (a supervisor only their team's)")
    if expert_id is not None and expert_id not in ids:
        raise ReviewError("the expert must be one of the members")
    title = title.strip()[:120] or f"Call #{call.id}"
    cal = CalibrationSession(call_id=call.id, title=title, created_by=by.id, expert_id=expert_id)
    cal.members = [CalibrationMember(user_id=i) for i in ids]
    session.add(cal)
    session.flush()
    if notify_members:
        notify(
            session,
            [i for i in ids if i != by.id],
            kind="calibration",
            call_id=None,
            text=f"Calibration '{cal.title}': score call #{call.id} blind",
            at=at,
        )
        session.flush()
    return cal


def list_sessions(session: Session, user: User) -> list[CalibrationSession]:
    """Sessions `user` is a member of or created (qa and admin: every session), newest first; the calls of
    calibration sets are listed with their sets (scoring.calibration_sets), not here."""
    in_sets = select(CalibrationSetSession.session_id)
    stmt = (
        select(CalibrationSession)
        .where(CalibrationSession.id.not_in(in_sets))
        .order_by(CalibrationSession.id.desc())
    )
    if not sees_all(user):
        mine = select(CalibrationMember.session_id).where(CalibrationMember.user_id == user.id)
        stmt = stmt.where(or_(CalibrationSession.id.in_(mine), CalibrationSession.created_by == user.id))
    return list(session.scalars(stmt))


def get_session(session: Session, session_id: int, user: User) -> CalibrationSession | None:
    """The session if `user` may open it (see list_sessions), else None."""
    cal = session.get(CalibrationSession, session_id)
    if cal is None:
        return None
    members = [m.user_id for m in cal.members]
    return cal if may_open(user, created_by=cal.created_by, member_ids=members) else None


def may_open(user: User, *, created_by: int | None, member_ids: list[int]) -> bool:
    """Whether `user` may open a calibration (a session, or a set of them) created by `created_by` for
    `member_ids`: its creator and members, and qa and admin every one (scoring.workflow.sees_all)."""
    return sees_all(user) or created_by == user.id or user.id in member_ids


def is_member(cal: CalibrationSession, user: User) -> bool:
    return any(m.user_id == user.id for m in cal.members)


def own_verdicts(session: Session, cal: CalibrationSession, user: User) -> dict[str, CalibrationVerdict]:
    """What `user` submitted in `cal`, per item (empty before they submit)."""
    stmt = select(CalibrationVerdict).where(
        CalibrationVerdict.session_id == cal.id, CalibrationVerdict.user_id == user.id
    )
    return {v.item: v for v in session.scalars(stmt)}


def submit_verdicts(
    session: Session,
    cal: CalibrationSession,
    *,
    user: User,
    verdicts: dict[str, tuple[str, str]],
    scorecard: Scorecard,
    at: datetime,
) -> None:
    """Store a member's verdicts (item -> ("pass" | "fail" | "na", comment)), one for every scorecard item.
    Once per member: a second submission (a form sent twice, two tabs) is refused with ReviewStateError,
    decided by one guarded UPDATE so that two at once cannot both pass."""
    if not is_member(cal, user):
        raise ReviewError("only the session's members score it")
    if cal.state != "open":
        raise ReviewStateError("this calibration is already revealed")
    items = [i.id for i in scorecard.items]
    missing = [i for i in items if i not in verdicts]
    unknown = [i for i in verdicts if i not in items]
    if missing or unknown:
        raise ReviewError(f"give one verdict per item (missing {missing}, unknown {unknown})")
    if any(v not in VERDICTS for v, _ in verdicts.values()):
        raise ReviewError(f"a verdict is one of {VERDICTS}")
    claimed = session.execute(
        update(CalibrationMember)
        .where(
            CalibrationMember.session_id == cal.id,
            CalibrationMember.user_id == user.id,
            CalibrationMember.submitted_at.is_(None),
        )
        .values(submitted_at=at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewStateError("you have already submitted your verdicts for this calibration")
    for item in items:
        verdict, comment = verdicts[item]
        session.add(
            CalibrationVerdict(
                session_id=cal.id, user_id=user.id, item=item, verdict=verdict, comment=comment.strip()
            )
        )
    session.flush()
    session.refresh(cal)


def reveal(session: Session, cal: CalibrationSession, *, by: User, at: datetime) -> None:
    """Show the results to the members (the creator, the expert or an admin may); needs two submissions.
    A session of a calibration set is revealed with its set only (scoring.calibration_sets.reveal_set):
    its results would tell members who have not yet scored the set's other calls how the others judge."""
    if not may_reveal(cal, by):
        raise ReviewError("the session's creator or expert reveals it")
    if session.get(CalibrationSetSession, cal.id) is not None:
        raise ReviewStateError("this call is part of a calibration set: reveal the set")
    if sum(m.submitted_at is not None for m in cal.members) < 2:
        raise ReviewStateError("wait for at least two reviewers' verdicts")
    done = session.execute(
        update(CalibrationSession)
        .where(CalibrationSession.id == cal.id, CalibrationSession.state == "open")
        .values(state="revealed", revealed_at=at)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewStateError("this calibration is already revealed")
    notify(
        session,
        [m.user_id for m in cal.members if m.user_id != by.id],
        kind="calibration",
        call_id=None,
        text=f"Calibration '{cal.title}': results revealed",
        at=at,
    )
    session.flush()
    session.refresh(cal)


def may_reveal(cal: CalibrationSession | CalibrationSet, user: User) -> bool:
    """Whether `user` may reveal `cal` (a session or a set): its creator, its expert or an admin."""
    return user.role == "admin" or user.id in (cal.created_by, cal.expert_id)


@dataclass(frozen=True)
class ItemResult:
    item: str
    verdicts: dict[int, str]
    """Member user id -> "pass" | "fail" | "na"."""
    key: str | None
    """The expert's verdict, else the majority's; None on a tie without an expert."""
    agreeing: int
    """Members whose verdict equals the key (the expert counts)."""
    machine: str
    machine_agrees: bool | None
    """Whether the machine's verdict equals the key; None without a key."""


@dataclass(frozen=True)
class MemberResult:
    user_id: int
    differing: int
    """Items where the member's verdict is not the key (items without a key left out)."""
    kappa: float | None
    """Cohen's kappa of the member's verdicts against the key over the items; None when undefined
    (one category only on both sides) or the member is the expert."""


@dataclass(frozen=True)
class CalibrationResults:
    items: list[ItemResult]
    members: list[MemberResult]
    pairwise_kappa: float | None
    """Mean Cohen's kappa over every pair of members (Light's kappa); None when no pair is defined."""
    machine_agreement: float | None
    """Share (0–1) of items with a key where the machine's verdict equals it."""


def _kappa(a: list[str], b: list[str]) -> float | None:
    if not a or len(set(a) | set(b)) < 2:
        return None  # one category on both sides: chance agreement is 1, kappa is 0/0
    return float(cohen_kappa_score(a, b, labels=list(VERDICTS)))


def compute_results(
    verdicts: dict[int, dict[str, str]], expert_id: int | None, machine: dict[str, str], items: list[str]
) -> CalibrationResults:
    """Results from each submitted member's verdicts (user id -> item -> verdict) and the machine's."""
    rows: list[ItemResult] = []
    for item in items:
        given = {u: v[item] for u, v in verdicts.items() if item in v}
        if expert_id is not None and expert_id in given:
            key: str | None = given[expert_id]
        else:
            ranked = Counter(given.values()).most_common()
            key = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
        rows.append(
            ItemResult(
                item=item,
                verdicts=given,
                key=key,
                agreeing=sum(v == key for v in given.values()),
                machine=machine.get(item, "na"),
                machine_agrees=None if key is None else machine.get(item, "na") == key,
            )
        )
    keyed = [r for r in rows if r.key is not None]
    members = []
    for user in sorted(verdicts):
        mine = [r.verdicts[user] for r in keyed if user in r.verdicts]
        keys = [r.key or "" for r in keyed if user in r.verdicts]
        members.append(
            MemberResult(
                user_id=user,
                differing=sum(m != k for m, k in zip(mine, keys, strict=True)),
                kappa=None if user == expert_id else _kappa(mine, keys),
            )
        )
    pairs = []
    for a, b in combinations(sorted(verdicts), 2):
        shared = [i for i in items if i in verdicts[a] and i in verdicts[b]]
        k = _kappa([verdicts[a][i] for i in shared], [verdicts[b][i] for i in shared])
        if k is not None:
            pairs.append(k)
    machine_hits = [r.machine_agrees for r in keyed]
    return CalibrationResults(
        items=rows,
        members=members,
        pairwise_kappa=sum(pairs) / len(pairs) if pairs else None,
        machine_agreement=sum(bool(h) for h in machine_hits) / len(machine_hits) if machine_hits else None,
    )


def session_results(session: Session, cal: CalibrationSession, scorecard: Scorecard) -> CalibrationResults:
    """The revealed session's results (ReviewStateError while it is open: scoring is blind)."""
    if cal.state != "revealed":
        raise ReviewStateError("results are shown once the session is revealed")
    by_user: dict[int, dict[str, str]] = {}
    for v in session.scalars(select(CalibrationVerdict).where(CalibrationVerdict.session_id == cal.id)):
        by_user.setdefault(v.user_id, {})[v.item] = v.verdict
    call = session.get(Call, cal.call_id)
    machine: dict[str, str] = {}
    if call is not None and call.score is not None:
        machine = {item: state_word(passed) for item, passed in read_score(call.score).verdicts().items()}
    return compute_results(by_user, cal.expert_id, machine, [i.id for i in scorecard.items])
