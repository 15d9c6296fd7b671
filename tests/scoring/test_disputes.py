"""Disputes on a real database: one open dispute per item, upholding sets the verdict the agent argued for
and re-scores the call, rejecting changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Review
from scoring.aggregates import agent_summaries
from scoring.disputes import open_dispute, resolve_dispute
from scoring.exceptions import ReviewError
from scoring.review import Decision, submit_review
from scoring.workflow import history
from tests.conftest import create_agent
from tests.scoring.test_review import CARD, GOOD, NOW, scored_call, user


def test_an_upheld_dispute_reverses_the_item_a_rejected_one_changes_nothing(session: Session) -> None:
    agent = create_agent(session, "Lee Chan")
    call = scored_call(session, agent.id, {**GOOD, "greeting": False})
    author, qa = user(session, "lee", "agent"), user(session, "qa1")
    dispute = open_dispute(
        session, call=call, item="greeting", author_id=author, comment="I said the company name"
    )
    with pytest.raises(ReviewError, match="already disputed"):
        open_dispute(session, call=call, item="greeting", author_id=author, comment="again")
    with pytest.raises(ReviewError, match="not an item"):
        open_dispute(session, call=call, item="charisma", author_id=author, comment="?")
    resolve_dispute(
        session, dispute, resolver_id=qa, upheld=True, resolution="company heard at 0:02", scorecard=CARD
    )
    summary = agent_summaries(session, CARD, now=NOW + timedelta(hours=1))[agent.id]
    assert summary.averages[7] == 100.0 and summary.item_pass_rates["greeting"] == 1.0
    with pytest.raises(ReviewError, match="already upheld"):
        resolve_dispute(session, dispute, resolver_id=qa, upheld=False, resolution="", scorecard=CARD)

    other = scored_call(session, agent.id, {**GOOD, "closing": False})
    rejected = open_dispute(session, call=other, item="closing", author_id=author, comment="I did close")
    resolve_dispute(
        session, rejected, resolver_id=qa, upheld=False, resolution="no goodbye heard", scorecard=CARD
    )
    assert rejected.state == "rejected"


def test_upholding_sets_the_verdict_argued_for_even_after_a_reviewer_changed_it(session: Session) -> None:
    # Reversing "whatever the verdict is now" turned a pass the reviewer had already given back into a fail.
    agent = create_agent(session, "Mo Ali")
    call = scored_call(session, agent.id, {**GOOD, "greeting": False})
    author, qa = user(session, "mo", "agent"), user(session, "qa2")
    dispute = open_dispute(session, call=call, item="greeting", author_id=author, comment="I said it")
    assert dispute.wanted_passed is True
    review = session.scalars(select(Review).where(Review.call_id == call.id)).one()
    submit_review(
        session, review, reviewer_id=qa, decisions={"greeting": Decision(True, "heard it")}, scorecard=CARD
    )
    resolve_dispute(session, dispute, resolver_id=qa, upheld=True, resolution="agreed", scorecard=CARD)
    [verdict] = review.verdicts
    assert (verdict.human_passed, verdict.comment) == (True, "heard it")
    assert review.final_total == 100.0
    verdict_steps = [e.after for e in history(session, call.id) if e.kind == "verdict"]
    assert verdict_steps == ["pass"]  # the uphold changed nothing more

    # A passed item is argued as failed, and upholding fails it (no flip back on a later uphold).
    other = scored_call(session, agent.id, GOOD)
    against = open_dispute(session, call=other, item="closing", author_id=author, comment="I never closed")
    assert against.wanted_passed is False
    resolve_dispute(session, against, resolver_id=qa, upheld=True, resolution="", scorecard=CARD)
    again = open_dispute(session, call=other, item="closing", author_id=author, comment="still failed?")
    assert again.wanted_passed is True
