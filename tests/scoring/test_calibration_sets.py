"""Calibration sets on a real database: one blind session per call for the same members, told once; no
summary and no session revealed alone until the whole set is revealed, which needs two verdicts per call;
then the summary across the calls, with the machine's verdicts beside the reviewers'."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.users import create_user
from models import CalibrationSession, Notification
from routing.teams import create_team
from scoring.calibration import create_session, get_session, list_sessions, reveal, submit_verdicts
from scoring.calibration_agreement import MACHINE
from scoring.calibration_sets import create_set, get_set, list_sets, reveal_set, set_summary, submitted
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.sampling import create_plan, may_run, plans_for
from scoring.workflow import sees_all
from tests.conftest import create_agent, create_scored_call
from tests.scoring.test_calibration import CARD, ITEMS, NOW


def _all(verdict: str) -> dict[str, tuple[str, str]]:
    return {i: (verdict, "") for i in ITEMS}


def test_a_set_is_blind_until_revealed_whole_and_summarised_across_its_calls(session: Session) -> None:
    agent = create_agent(session)
    # The machine passes everything on the first two calls and fails every item of the third.
    calls = [create_scored_call(session, agent.id, {i: True for i in ITEMS}) for _ in range(2)]
    calls.append(create_scored_call(session, agent.id, {i: False for i in ITEMS}))
    lead = create_user(session, username="set-lead", password="pw-long-enough", role="qa")
    ann = create_user(session, username="set-ann", password="pw-long-enough", role="qa")
    bob = create_user(session, username="set-bob", password="pw-long-enough", role="admin")
    members = [lead.id, ann.id, bob.id]
    with pytest.raises(ReviewError, match="two different calls"):
        create_set(
            session, calls=[calls[0], calls[0]], title="", member_ids=members, expert_id=None, by=lead, at=NOW
        )
    cset = create_set(
        session, calls=calls, title="Week 49", member_ids=members, expert_id=lead.id, by=lead, at=NOW
    )
    assert [s.call_id for s in cset.sessions] == sorted(c.id for c in calls)
    told = list(session.scalars(select(Notification.user_id).where(Notification.kind == "calibration")))
    assert sorted(told) == sorted([ann.id, bob.id])  # once for the set, not once per call
    assert get_set(session, cset.id, ann) is cset and list_sets(session, ann) == [cset]

    # The expert passes everything; ann fails the first item of every call; bob scores two calls only.
    for s in cset.sessions:
        submit_verdicts(session, s, user=lead, verdicts=_all("pass"), scorecard=CARD, at=NOW)
        first_fails = _all("pass") | {ITEMS[0]: ("fail", "")}
        submit_verdicts(session, s, user=ann, verdicts=first_fails, scorecard=CARD, at=NOW)
    for s in cset.sessions[:2]:
        submit_verdicts(session, s, user=bob, verdicts=_all("pass"), scorecard=CARD, at=NOW)
    assert submitted(cset)[cset.sessions[2].call_id] == {lead.id, ann.id}
    with pytest.raises(ReviewStateError, match="revealed"):
        set_summary(session, cset, CARD)  # blind while open
    with pytest.raises(ReviewStateError, match="reveal the set"):
        reveal(session, cset.sessions[0], by=lead, at=NOW)  # one call's results would leak the others'
    with pytest.raises(ReviewError, match="creator or expert"):
        reveal_set(session, cset, by=ann, at=NOW)

    reveal_set(session, cset, by=lead, at=NOW)
    assert cset.state == "revealed"
    states = session.scalars(
        select(CalibrationSession.state).where(CalibrationSession.id.in_([s.id for s in cset.sessions]))
    )
    assert set(states) == {"revealed"}
    with pytest.raises(ReviewStateError, match="already revealed"):
        reveal_set(session, cset, by=lead, at=NOW)
    summary = set_summary(session, cset, CARD)
    by = {r.rater_id: r for r in summary.raters}
    n = len(ITEMS)
    assert by[ann.id].compared == 3 * n and by[ann.id].agreement == pytest.approx((n - 1) / n)
    bias = by[ann.id].total_bias
    assert by[ann.id].calls == 3 and bias is not None and bias < 0
    assert (by[bob.id].compared, by[bob.id].agreement, by[bob.id].total_deviation) == (2 * n, 1.0, 0.0)
    assert by[MACHINE].agreement == pytest.approx(2 / 3)  # it failed every item of the third call
    first = summary.items[0]
    assert first.item == ITEMS[0] and first.agreement == pytest.approx(5 / 8)  # lead 3, bob 2 of 8


def test_reveal_waits_for_two_verdicts_on_every_call(session: Session) -> None:
    agent = create_agent(session)
    calls = [create_scored_call(session, agent.id, {i: True for i in ITEMS}) for _ in range(2)]
    lead = create_user(session, username="wait-lead", password="pw-long-enough", role="qa")
    ann = create_user(session, username="wait-ann", password="pw-long-enough", role="qa")
    cset = create_set(
        session, calls=calls, title="", member_ids=[lead.id, ann.id], expert_id=None, by=lead, at=NOW
    )
    for user in (lead, ann):
        submit_verdicts(session, cset.sessions[0], user=user, verdicts=_all("pass"), scorecard=CARD, at=NOW)
    with pytest.raises(ReviewStateError, match=f"call\\(s\\) {calls[1].id}"):
        reveal_set(session, cset, by=lead, at=NOW)


@pytest.mark.parametrize("role", ["qa", "admin", "supervisor", "agent"])
def test_qa_and_admin_open_every_calibration_and_plan_the_others_their_own(
    session: Session, role: str
) -> None:
    agent = create_agent(session)
    team = create_team(session, f"Team of the {role}")
    calls = [create_scored_call(session, agent.id, {i: True for i in ITEMS}) for _ in range(3)]
    lead = create_user(session, username="rule-lead", password="pw-long-enough", role="qa")
    ann = create_user(session, username="rule-ann", password="pw-long-enough", role="qa")
    pair = [lead.id, ann.id]
    single = create_session(
        session, call=calls[0], title="", member_ids=pair, expert_id=None, by=lead, at=NOW
    )
    cset = create_set(session, calls=calls[1:], title="", member_ids=pair, expert_id=None, by=lead, at=NOW)
    plan = create_plan(
        session, by=lead, name="Elsewhere", reviewer_id=None, team_id=None, calls_per_agent=1, period="week"
    )
    outsider = create_user(  # neither creator nor member of either calibration
        session,
        username=f"rule-{role}",
        password="pw-long-enough",
        role=role,
        agent_id=agent.id if role == "agent" else None,
        team_id=team.id if role == "supervisor" else None,
    )
    sees = role in ("qa", "admin")
    assert sees_all(outsider) is sees
    assert (get_session(session, single.id, outsider) is single) is sees
    assert (single in list_sessions(session, outsider)) is sees
    assert (get_set(session, cset.id, outsider) is cset) is sees
    assert (cset in list_sets(session, outsider)) is sees
    assert (plan in plans_for(session, outsider)) is sees and may_run(outsider, plan) is sees
