"""An evaluation's history, comment thread, acknowledgement and notifications on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from models import Review, User
from scoring.disputes import open_dispute, resolve_dispute
from scoring.exceptions import ReviewError, ReviewStateError
from scoring.review import Decision, flag_call, submit_review
from scoring.workflow import (
    acknowledge,
    acknowledgement,
    add_comment,
    history,
    latest_reasons,
    list_disputes,
    list_notifications,
    mark_read,
    unread_count,
)
from tests.conftest import create_agent, create_scored_call
from tests.scoring.test_review import CARD, GOOD, WEIGHTS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def login(session: Session, name: str, role: str, agent_id: int | None = None) -> User:
    row = User(username=name, password_hash="-", role=role, agent_id=agent_id)
    session.add(row)
    session.flush()
    return row


def test_upholding_a_dispute_keeps_the_reviewers_comment_and_the_whole_history(session: Session) -> None:
    agent = create_agent(session, "Ida Wu")
    ida = login(session, "ida", "agent", agent.id)
    qa, lead = login(session, "qa-h", "qa"), login(session, "lead-h", "admin")
    call = create_scored_call(session, agent.id, {**GOOD, "courtesy": False}, at=NOW)
    review = flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
    assert review is not None
    submit_review(
        session,
        review,
        reviewer_id=qa.id,
        decisions={"greeting": Decision(False, "no company name")},
        scorecard=CARD,
        now=NOW,
    )
    assert [n.text for n in list_notifications(session, ida.id)] == [
        f"Evaluation of call #{call.id} released: score 40"
    ]
    dispute = open_dispute(
        session, call=call, item="greeting", author_id=ida.id, comment="I said Acme", now=NOW + timedelta(1)
    )
    assert unread_count(session, qa.id) == 1 and unread_count(session, lead.id) == 1
    assert [d.id for d, _, _ in list_disputes(session, state="open")] == [dispute.id]
    resolve_dispute(
        session,
        dispute,
        resolver_id=lead.id,
        upheld=True,
        resolution="Acme heard at 0:02",
        scorecard=CARD,
        now=NOW + timedelta(2),
    )
    [verdict] = [v for v in review.verdicts if v.item == "greeting"]
    assert verdict.human_passed is True and verdict.comment == "no company name"  # not overwritten
    steps = [(e.kind, e.item, e.before, e.after, e.note, e.actor_id) for e in history(session, call.id)]
    assert steps == [
        ("verdict", "greeting", "pass", "fail", "no company name", qa.id),
        ("dispute_filed", "greeting", "fail", "pass", "I said Acme", ida.id),
        ("dispute_upheld", "greeting", None, None, "Acme heard at 0:02", lead.id),
        ("verdict", "greeting", "fail", "pass", "dispute upheld: Acme heard at 0:02", lead.id),
    ]
    assert latest_reasons(history(session, call.id))["greeting"] == "dispute upheld: Acme heard at 0:02"
    texts = [n.text for n in list_notifications(session, ida.id)]
    assert texts[0] == f"Your dispute of Greeting on call #{call.id} was upheld: Acme heard at 0:02"
    assert list_disputes(session, state="open") == []


def test_a_disputed_call_nobody_flagged_enters_the_queue(session: Session) -> None:
    agent = create_agent(session, "Oli Ray")
    oli = login(session, "oli", "agent", agent.id)
    call = create_scored_call(session, agent.id, {**GOOD, "closing": False}, at=NOW)
    open_dispute(session, call=call, item="closing", author_id=oli.id, comment="I said goodbye", now=NOW)
    review = session.query(Review).filter_by(call_id=call.id).one()
    assert review.state == "open" and review.reasons == ["disputed: Closing"]


def test_acknowledgement_holds_until_the_evaluation_changes(session: Session) -> None:
    agent = create_agent(session, "Max Poe")
    other = create_agent(session, "Not Max")
    max_, stranger = login(session, "max", "agent", agent.id), login(session, "notmax", "agent", other.id)
    qa = login(session, "qa-a", "qa")
    call = create_scored_call(session, agent.id, GOOD, at=NOW)
    with pytest.raises(ReviewError, match="only the agent"):
        acknowledge(session, call=call, user=stranger, at=NOW)
    acknowledge(session, call=call, user=max_, at=NOW)
    with pytest.raises(ReviewStateError, match="already acknowledged"):
        acknowledge(session, call=call, user=max_, at=NOW)
    review = Review(call_id=call.id, reasons=["sample"], machine_total=100.0)
    session.add(review)
    session.flush()
    submit_review(
        session,
        review,
        reviewer_id=qa.id,
        decisions={"closing": Decision(False, "no goodbye")},
        scorecard=CARD,
    )
    assert acknowledgement(history(session, call.id)) is None  # changed since: acknowledge again
    assert acknowledge(session, call=call, user=max_, at=NOW + timedelta(1)).actor_id == max_.id


def test_the_thread_reaches_the_other_side_and_reading_clears_the_count(session: Session) -> None:
    agent = create_agent(session, "Kai Lo")
    kai, qa = login(session, "kai", "agent", agent.id), login(session, "qa-t", "qa")
    call = create_scored_call(session, agent.id, GOOD, at=NOW)
    with pytest.raises(ReviewError):
        add_comment(session, call=call, author=kai, body="   ", at=NOW)
    add_comment(session, call=call, author=kai, body="Why was I sampled?", at=NOW)
    add_comment(session, call=call, author=qa, body="Random sample, nothing wrong.", at=NOW)
    assert unread_count(session, qa.id) == 1 and unread_count(session, kai.id) == 1
    mark_read(session, kai.id, at=NOW)
    assert unread_count(session, kai.id) == 0 and unread_count(session, qa.id) == 1
