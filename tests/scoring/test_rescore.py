"""Re-scoring a call on the active scorecard version: the score before is kept in the history, a reviewed
call keeps the reviewer's verdicts on the items the new version still has, an item the new version adds
takes the machine's stored verdict, and a second re-score on the same version changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from callqa.services.processing import flag_severity
from callqa.settings import Settings
from models import Review
from scoring.rescore import calls_scored_with, rescore_call_on, revisions
from scoring.review import Decision, submit_review
from scoring.scorecard import load_scorecard, scorecard_to_data
from scoring.versions import active_card, current_scorecard, publish_draft, save_draft
from tests.conftest import create_agent, create_scored_call, make_analysis
from tests.scoring.test_review import user

CARD = load_scorecard(None)
WEIGHTS = flag_severity(Settings())
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ALL_PASSED = {i.id: True for i in CARD.items} | {"silent_caller": None, "noisy_line": None}


def publish_fatal_closing(session: Session) -> None:
    """Version 3: the closing an auto-fail (a failed closing scores 0)."""
    data = scorecard_to_data(CARD)
    data["items"][1] |= {"critical": True, "cap": 0}
    draft = save_draft(session, "default", data, user_id=None, based_on="2")
    publish_draft(session, draft.id, user_id=None)


def test_a_reviewed_call_moves_to_the_active_version_and_keeps_its_history(session: Session) -> None:
    agent = create_agent(session, "Rhea")
    current_scorecard(session, CARD)
    call = create_scored_call(session, agent.id, ALL_PASSED, analysis=make_analysis({"greeting": "pass"}))
    review = Review(call_id=call.id, reasons=["test"], machine_total=100.0)
    session.add(review)
    session.flush()
    decisions = {"closing": Decision(False, "no goodbye")}
    assert (
        submit_review(session, review, reviewer_id=user(session, "rita"), decisions=decisions, scorecard=CARD)
        == 80.0
    )
    publish_fatal_closing(session)
    active = active_card(session, "default")
    assert active is not None and calls_scored_with(session, "default", "2") == [call.id]

    done = rescore_call_on(session, call, active, weights=WEIGHTS, actor_id=None, reason="test", now=NOW)
    assert done is not None
    assert (done.version_before, done.version_after, done.final_before, done.final_after) == (
        "2",
        "3",
        80.0,
        0.0,
    )
    assert review.final_total == 0.0  # the reviewer's failed closing is now an auto-fail
    assert call.score is not None and call.score.scorecard_version == "3" and call.score.created_at == NOW
    [before] = revisions(session, call.id)
    assert (before.scorecard_version, before.total, before.final_total, before.reason) == (
        "2",
        done.before,
        80.0,
        "test",
    )
    assert rescore_call_on(session, call, active, weights=WEIGHTS, actor_id=None, reason="again") is None
    assert len(revisions(session, call.id)) == 1 and calls_scored_with(session, "default", "2") == []


def test_an_open_review_learns_the_new_machine_total(session: Session) -> None:
    agent = create_agent(session, "Ivo")
    current_scorecard(session, CARD)
    verdicts = ALL_PASSED | {"closing": False}
    call = create_scored_call(session, agent.id, verdicts, analysis=make_analysis({"closing": "fail"}))
    review = Review(call_id=call.id, reasons=["test"], machine_total=80.0)
    session.add(review)
    publish_fatal_closing(session)
    active = active_card(session, "default")
    assert active is not None
    done = rescore_call_on(session, call, active, weights=WEIGHTS, actor_id=None, reason="test")
    assert done is not None and done.before == pytest.approx(80.0) and done.after == 0.0
    assert review.machine_total == 0.0 and review.final_total is None
    assert "critical item failed: closing" in review.reasons
