"""Calibration: the results (key by expert or majority, agreement, Cohen's kappa, the machine beside it)
and the session's rules (blind until revealed, one submission per member, members who may see the call)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.users import create_user, update_agent
from models import Agent, CalibrationVerdict, Notification
from routing.teams import create_team
from scoring.calibration import (
    compute_results,
    create_session,
    list_sessions,
    reveal,
    session_results,
    submit_verdicts,
)
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.scorecard import load_scorecard
from tests.conftest import create_agent, create_scored_call

CARD = load_scorecard(None)
ITEMS = [i.id for i in CARD.items]
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def test_the_expert_is_the_key_and_kappa_is_cohens() -> None:
    items = ["a", "b", "c", "d"]
    verdicts = {
        1: {"a": "pass", "b": "fail", "c": "pass", "d": "na"},  # the expert
        2: {"a": "pass", "b": "pass", "c": "pass", "d": "na"},
        3: {"a": "fail", "b": "fail", "c": "pass", "d": "fail"},
    }
    machine = {"a": "pass", "b": "fail", "c": "fail", "d": "na"}
    r = compute_results(verdicts, 1, machine, items)
    assert [row.key for row in r.items] == ["pass", "fail", "pass", "na"]
    assert [row.agreeing for row in r.items] == [2, 2, 3, 2]
    assert [row.machine_agrees for row in r.items] == [True, True, False, True]
    assert r.machine_agreement == 0.75
    by_member = {m.user_id: m for m in r.members}
    assert by_member[2].differing == 1 and by_member[3].differing == 2
    assert by_member[1].kappa is None  # the expert against themselves says nothing
    key = ["pass", "fail", "pass", "na"]
    assert by_member[3].kappa == pytest.approx(cohen_kappa_score(["fail", "fail", "pass", "fail"], key))
    pairs = [
        cohen_kappa_score([verdicts[a][i] for i in items], [verdicts[b][i] for i in items])
        for a, b in ((1, 2), (1, 3), (2, 3))
    ]
    assert r.pairwise_kappa == pytest.approx(sum(pairs) / 3)


def test_without_an_expert_the_majority_is_the_key_and_a_tie_has_none() -> None:
    verdicts = {1: {"a": "pass", "b": "pass"}, 2: {"a": "pass", "b": "fail"}, 3: {"a": "fail"}}
    r = compute_results(verdicts, None, {"a": "fail", "b": "pass"}, ["a", "b"])
    assert [row.key for row in r.items] == ["pass", None]
    assert [row.machine_agrees for row in r.items] == [False, None]
    assert r.machine_agreement == 0.0
    assert {m.user_id: m.differing for m in r.members} == {1: 0, 2: 0, 3: 1}
    # Everyone the same on every item: agreement is total, kappa undefined (no chance correction).
    same = compute_results({1: {"a": "pass"}, 2: {"a": "pass"}}, None, {}, ["a"])
    assert same.items[0].agreeing == 2 and same.pairwise_kappa is None


def _all(verdict: str) -> dict[str, tuple[str, str]]:
    return {i: (verdict, "") for i in ITEMS}


def test_a_session_is_blind_once_per_member_and_revealed_with_results(session: Session) -> None:
    agent = create_agent(session)
    call = create_scored_call(session, agent.id, {i: True for i in ITEMS})
    lead = create_user(session, username="lead", password="pw-long-enough", role="qa")
    ann = create_user(session, username="ann-qa", password="pw-long-enough", role="qa")
    bob = create_user(session, username="bob-qa", password="pw-long-enough", role="admin")
    with pytest.raises(ReviewError, match="at least two"):
        create_session(session, call=call, title="", member_ids=[lead.id], expert_id=None, by=lead, at=NOW)
    with pytest.raises(ReviewError, match="expert"):
        create_session(
            session, call=call, title="", member_ids=[ann.id, bob.id], expert_id=lead.id, by=lead, at=NOW
        )
    cal = create_session(
        session,
        call=call,
        title="Week 49",
        member_ids=[lead.id, ann.id, bob.id],
        expert_id=lead.id,
        by=lead,
        at=NOW,
    )
    told = session.scalars(select(Notification.user_id).where(Notification.kind == "calibration"))
    assert sorted(told) == sorted([ann.id, bob.id])

    submit_verdicts(session, cal, user=lead, verdicts=_all("pass"), scorecard=CARD, at=NOW)
    with pytest.raises(ReviewStateError, match="already submitted"):
        submit_verdicts(session, cal, user=lead, verdicts=_all("fail"), scorecard=CARD, at=NOW)
    with pytest.raises(ReviewError, match="one verdict per item"):
        submit_verdicts(session, cal, user=ann, verdicts={ITEMS[0]: ("pass", "")}, scorecard=CARD, at=NOW)
    with pytest.raises(ReviewStateError, match="revealed"):
        session_results(session, cal, CARD)  # blind while open
    with pytest.raises(ReviewStateError, match="two reviewers"):
        reveal(session, cal, by=lead, at=NOW)
    ann_verdicts = _all("pass") | {ITEMS[0]: ("fail", "no greeting heard")}
    submit_verdicts(session, cal, user=ann, verdicts=ann_verdicts, scorecard=CARD, at=NOW)
    stored = session.scalars(select(CalibrationVerdict).where(CalibrationVerdict.session_id == cal.id)).all()
    assert len(stored) == 2 * len(ITEMS)
    reveal(session, cal, by=lead, at=NOW)
    with pytest.raises(ReviewStateError, match="revealed"):
        submit_verdicts(session, cal, user=bob, verdicts=_all("pass"), scorecard=CARD, at=NOW)
    results = session_results(session, cal, CARD)
    first = results.items[0]
    assert first.key == "pass" and first.verdicts == {lead.id: "pass", ann.id: "fail"} and first.agreeing == 1
    assert {m.user_id: m.differing for m in results.members} == {lead.id: 0, ann.id: 1}


def test_members_must_see_the_call_and_supervisors_list_their_own(session: Session) -> None:
    agent = create_agent(session)
    other = session.get(Agent, create_agent(session).id)
    assert other is not None
    team = create_team(session, "East")
    update_agent(session, other, active=True, team_id=team.id)
    call = create_scored_call(session, agent.id, {i: True for i in ITEMS})
    qa = create_user(session, username="qa1", password="pw-long-enough", role="qa")
    sup = create_user(session, username="sup1", password="pw-long-enough", role="supervisor", team_id=team.id)
    with pytest.raises(ReviewError, match="allowed to see the call"):
        create_session(
            session, call=call, title="", member_ids=[qa.id, sup.id], expert_id=None, by=qa, at=NOW
        )
    assert list_sessions(session, sup) == []
