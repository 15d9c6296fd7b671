"""Scorecard maths: weights, not-applicable items, critical caps, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.exceptions import ScorecardError
from scoring.scorecard import load_scorecard, score_verdicts

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
