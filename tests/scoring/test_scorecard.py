"""Scorecard maths: weights, not-applicable items, critical caps, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.exceptions import ScorecardError
from scoring.scorecard import CallScore, load_scorecard, parse_scorecard, score_verdicts, scorecard_to_data

CARD = load_scorecard(None)
# An ordinary call: every item passed, the situational procedures (silent caller, noisy line) not applicable.
ORDINARY = {i.id: True for i in CARD.items} | {"silent_caller": None, "noisy_line": None}


def test_all_passed_is_100_and_points_follow_weights() -> None:
    score = score_verdicts(ORDINARY, CARD)
    assert score.total == 100.0
    points = {i.item: i.points for i in score.items}
    assert points["courtesy"] == pytest.approx(30.0) and points["greeting"] == pytest.approx(20.0)


def test_not_applicable_items_leave_the_denominator() -> None:
    verdicts = ORDINARY | {"empathy": None, "greeting": False}
    score = score_verdicts(verdicts, CARD)
    assert score.total == pytest.approx(100 * 65 / 85, abs=0.01)
    empathy = next(i for i in score.items if i.item == "empathy")
    assert empathy.passed is None and empathy.note == "not applicable"


def test_a_failed_critical_item_caps_the_score() -> None:
    verdicts = ORDINARY | {"courtesy": False}
    assert score_verdicts(verdicts, CARD).total == 40.0
    worse = verdicts | {"greeting": False, "closing": False, "no_dead_air": False}
    assert score_verdicts(worse, CARD).total == pytest.approx(15.0)  # already below the cap


def test_the_scorecard_version_is_recorded() -> None:
    score = score_verdicts({}, CARD)
    assert (score.scorecard_id, score.scorecard_version) == ("default", "2")


def test_bad_scorecards_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "card.yaml"
    bad.write_text("id: x\nversion: 1\nitems: [{id: a, verdict: 'check:greeting', weight: 0}]\n")
    with pytest.raises(ScorecardError, match="positive weight"):
        load_scorecard(bad)
    bad.write_text("id: x\nversion: 1\nitems: [{id: a, verdict: 'vibes', weight: 1}]\n")
    with pytest.raises(ScorecardError, match="unknown verdict"):
        load_scorecard(bad)
    bad.write_text("items: [")
    with pytest.raises(ScorecardError, match="YAML"):
        load_scorecard(bad)


def _card(*items: dict[str, object]) -> dict[str, object]:
    return {"id": "t", "version": "1", "items": list(items)}


GREETING = {"id": "greeting", "verdict": "check:greeting", "weight": 50}


def test_a_conditional_item_applies_only_when_its_condition_holds() -> None:
    card = parse_scorecard(
        _card(
            GREETING,
            {
                "id": "hold",
                "verdict": "check:closing",
                "weight": 50,
                "applies_when": {"item": "greeting", "verdict": "fail"},
            },
        ),
        source="t",
    )
    passed = score_verdicts({"greeting": True, "hold": False}, card)
    hold = next(i for i in passed.items if i.item == "hold")
    assert passed.total == 100.0 and hold.passed is None and hold.note == "applies only when Greeting failed"
    assert score_verdicts({"greeting": False, "hold": False}, card).total == 0.0
    # the verdict given is kept, so a reviewer failing the greeting later brings the item in
    assert passed.verdicts() == {"greeting": True, "hold": False}
    assert score_verdicts(passed.verdicts() | {"greeting": False}, card).total == 0.0


def test_an_item_without_na_counts_a_missing_verdict_as_failed_and_auto_fail_zeroes() -> None:
    card = parse_scorecard(
        _card(GREETING, {"id": "closing", "verdict": "check:closing", "weight": 50, "na_allowed": False}),
        source="t",
    )
    assert score_verdicts({"greeting": True, "closing": None}, card).total == 50.0
    fatal = parse_scorecard(
        _card(
            GREETING, {"id": "courtesy", "verdict": "no_violations", "weight": 1, "critical": True, "cap": 0}
        ),
        source="t",
    )
    assert score_verdicts({"greeting": True, "courtesy": False}, fatal).total == 0.0


def test_every_problem_is_named_at_once() -> None:
    bad = _card(
        {"id": "greeting", "verdict": "check:greetin", "weight": -1},
        {"id": "greeting", "verdict": "empathy_when_needed", "weight": "heavy", "na_allowed": False},
        {
            "id": "x",
            "verdict": "no_dead_air",
            "weight": 1,
            "applies_when": {"item": "later", "verdict": "pass"},
        },
    )
    with pytest.raises(ScorecardError) as raised:
        parse_scorecard(bad, source="t", known_checks={"greeting", "closing"})
    assert raised.value.problems == (
        "item 1 (greeting): unknown check 'greetin' (checks are closing, greeting)",
        "item 1 (greeting) needs a positive weight",
        "item 2 (greeting): the id is used by an earlier item",
        "item 2 (greeting) needs a positive weight",
        "item 2 (greeting): empathy is not applicable unless the caller was upset, so it must allow N/A",
        "item 3 (x): its condition must name an item listed before it, not 'later'",
    )


def test_the_yaml_shape_reads_back_the_same_card() -> None:
    for card in (CARD, load_scorecard(None, "zh")):
        assert parse_scorecard(scorecard_to_data(card), source="again") == card
    conditional = parse_scorecard(
        _card(
            GREETING,
            {
                "id": "c",
                "verdict": "no_dead_air",
                "weight": 2.5,
                "na_allowed": False,
                "applies_when": {"item": "greeting", "verdict": "pass"},
            },
        ),
        source="t",
    )
    assert parse_scorecard(scorecard_to_data(conditional), source="again") == conditional


def test_scores_stored_before_conditions_read_their_verdicts_from_passed() -> None:
    stored = score_verdicts(ORDINARY, CARD).to_json()
    for item in stored["items"]:
        del item["verdict"]
    assert CallScore.from_json(stored).verdicts() == ORDINARY
