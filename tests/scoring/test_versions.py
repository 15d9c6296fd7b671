"""Scorecard versions on a real database: the YAML card is stored once as the first version, a draft never
scores, publishing numbers it and makes it active exactly once, a published version never changes, and a
call's review is scored on the version the call was scored with."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Review, ScorecardVersion
from scoring.exceptions import ScorecardError, ScorecardStateError
from scoring.review import Decision, submit_review
from scoring.scorecard import load_scorecard, scorecard_to_data
from scoring.versions import (
    current_scorecard,
    discard_draft,
    list_versions,
    publish_draft,
    save_draft,
    scored_with,
    sync_from_yaml,
)
from tests.conftest import create_agent, create_scored_call
from tests.scoring.test_review import user

CARD = load_scorecard(None)
CHECKS = {"greeting", "closing", "silent_caller", "noisy_line"}


def heavier_closing() -> dict[str, object]:
    """The default card with the closing weighing 60 instead of 20."""
    data = scorecard_to_data(CARD)
    for item in data["items"]:
        if item["id"] == "closing":
            item["weight"] = 60
    return data


def count(session: Session) -> int:
    return session.scalar(select(func.count(ScorecardVersion.id))) or 0


def test_the_yaml_card_is_stored_once_and_is_the_active_version(session: Session) -> None:
    assert current_scorecard(session, CARD) == CARD
    sync_from_yaml(session, CARD)
    assert current_scorecard(session, CARD) == CARD
    assert [(v.version, v.state) for v in list_versions(session, "default")] == [("2", "published")]


def test_a_draft_never_scores_and_publishing_makes_it_active_once(session: Session) -> None:
    current_scorecard(session, CARD)
    draft = save_draft(session, "default", heavier_closing(), user_id=None, based_on="2", known_checks=CHECKS)
    assert draft.version is None and current_scorecard(session, CARD) == CARD
    published = publish_draft(session, draft.id, user_id=None)
    assert (published.number, published.version, published.state) == (3, "3", "published")
    active = current_scorecard(session, CARD)
    assert active.version == "3" and next(i.weight for i in active.items if i.id == "closing") == 60
    with pytest.raises(ScorecardStateError, match="already published as version 3"):
        publish_draft(session, draft.id, user_id=None)  # the second click of a double click
    assert count(session) == 2
    # the old version is still there, unchanged, for the calls scored with it
    assert scored_with(session, "default", "2", active) == CARD


def test_a_published_version_is_never_edited(session: Session) -> None:
    current_scorecard(session, CARD)
    seeded = list_versions(session, "default")[0]
    with pytest.raises(ScorecardStateError, match="published or discarded meanwhile"):
        save_draft(session, "default", heavier_closing(), user_id=None, based_on="2", draft_id=seeded.id)
    assert current_scorecard(session, CARD) == CARD
    with pytest.raises(ScorecardStateError):
        discard_draft(session, seeded.id)


def test_one_draft_at_a_time_and_a_draft_can_be_changed_or_discarded(session: Session) -> None:
    current_scorecard(session, CARD)
    draft = save_draft(session, "default", heavier_closing(), user_id=None, based_on="2")
    with pytest.raises(ScorecardStateError, match="started a draft"):
        save_draft(session, "default", heavier_closing(), user_id=None, based_on="2")
    changed = save_draft(
        session, "default", scorecard_to_data(CARD), user_id=None, based_on="2", draft_id=draft.id
    )
    assert changed.id == draft.id and changed.definition["items"][1]["weight"] == 20
    discard_draft(session, draft.id)
    assert count(session) == 1


def test_a_bad_card_stores_nothing_and_names_each_problem(session: Session) -> None:
    current_scorecard(session, CARD)
    data = heavier_closing()
    data["items"][0]["verdict"] = "check:greetings"  # type: ignore[index]
    data["items"][1]["weight"] = 0  # type: ignore[index]
    with pytest.raises(ScorecardError) as raised:
        save_draft(session, "default", data, user_id=None, based_on="2", known_checks=CHECKS)
    assert len(raised.value.problems) == 2 and count(session) == 1


def test_a_yaml_file_with_a_higher_version_becomes_the_active_one(session: Session) -> None:
    current_scorecard(session, CARD)
    bumped = replace(CARD, version="7", items=CARD.items[:4])
    assert current_scorecard(session, bumped) == bumped
    older = replace(CARD, version="1")
    assert current_scorecard(session, older) == bumped  # the stored versions rule
    assert [v.version for v in list_versions(session, "default")] == ["7", "2"]


def test_a_review_scores_on_the_version_the_call_was_scored_with(session: Session) -> None:
    agent = create_agent(session, "Vera")
    current_scorecard(session, CARD)
    verdicts = {i.id: True for i in CARD.items} | {"silent_caller": None, "noisy_line": None}
    call = create_scored_call(session, agent.id, verdicts)
    draft = save_draft(session, "default", heavier_closing(), user_id=None, based_on="2")
    publish_draft(session, draft.id, user_id=None)
    review = Review(call_id=call.id, reasons=["test"], machine_total=100.0)
    session.add(review)
    session.flush()
    active = current_scorecard(session, CARD)
    final = submit_review(
        session,
        review,
        reviewer_id=user(session, "rita"),
        decisions={"closing": Decision(False, "no goodbye")},
        scorecard=active,
    )
    assert final == pytest.approx(80.0)  # closing is 20 of 100 on version 2 (60 of 140 on version 3)
