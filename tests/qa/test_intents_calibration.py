"""The calls' certainty point of model-only remarks: measured on the hits it decides, each distinct decoded
text once, false alarms weighed as calls would hold them; and the reviewer is told what it rests on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qa.exceptions import ScriptError
from qa.intent_evidence import ModelMatch
from qa.intent_model import IntentModel, data_version, read_intents
from qa.intents import Intent
from qa.intents_calibration import CalibrationRows, CallCalibration, calibrate_remarks, read_calibration
from qa.intents_certainty import NEVER


def _rows(rows: list[tuple[str, str, float]], sets: tuple[str, ...] = ("a", "b")) -> CalibrationRows:
    """(label, text, conf) rows (label "none" or a category), said alike in the calls of each of `sets`."""
    return CalibrationRows(
        [text for _ in sets for _, text, _ in rows],
        [frozenset() if label == "none" else frozenset({label}) for _ in sets for label, _, _ in rows],
        [conf for _ in sets for _, _, conf in rows],
        [f"{name}/call@{i}" for name in sets for i in range(len(rows))],
        "sha",
    )


def _calibrate(
    rows: list[tuple[str, str, float]], intents: list[Intent], sets: tuple[str, ...] = ("a", "b")
) -> CallCalibration:
    return calibrate_remarks(_rows(rows, sets), intents * len(sets))


def _remarks(n: int, top: float = 0.95) -> tuple[list[tuple[str, str, float]], list[Intent]]:
    """n distinct rude remarks the model finds, probabilities from `top` down by 0.002."""
    rows = [("rude", f"stop moaning about the invoice number {i}", 0.9) for i in range(n)]
    return rows, [Intent("rude", top - 0.002 * i) for i in range(n)]


ORDINARY = [("none", f"your parcel number {i} is on its way", 0.9) for i in range(2000)]
QUIET = [Intent("none", 0.9)] * len(ORDINARY)


def test_a_point_needs_enough_distinct_right_remarks_for_its_lower_bound() -> None:
    rows, intents = _remarks(52)
    calls = _calibrate(rows + ORDINARY, intents + QUIET)
    assert calls.point == pytest.approx(0.95 - 0.002 * 51)  # 52 of 52: lower bound 0.9505
    assert (calls.hits, calls.right, calls.sentences) == (52, 52, 4104)
    assert "52 of 52 right among 4104 decoded call sentences" in calls.basis
    # 51 are too few, however sure the model is of them.
    too_few = _calibrate(rows[:51] + ORDINARY, intents[:51] + QUIET)
    assert too_few.point == NEVER
    assert too_few.basis == "no probability right often enough with each set left out, 4102 sentences"


def test_a_point_must_hold_without_any_one_set() -> None:
    rows, intents = _remarks(52)
    assert _calibrate(rows + ORDINARY, intents + QUIET).point < NEVER  # in two generators' calls alike
    # Found only in one generator's calls (the other's hold ordinary speech alone), 52 remarks are that
    # generator's wording: without its calls no point is left, so none stands, however many seeds of it
    # were decoded.
    one, other = _rows(rows + ORDINARY, ("k",)), _rows(ORDINARY, ("a",))
    merged = CalibrationRows(
        one.texts + other.texts,
        one.categories + other.categories,
        one.confs + other.confs,
        one.sources + other.sources,
        "sha",
    )
    assert calibrate_remarks(merged, intents + QUIET + QUIET).point == NEVER
    assert _calibrate(rows + ORDINARY, intents + QUIET, sets=("k",)).point == NEVER


def test_the_same_decoded_words_count_once_when_right_and_in_every_call_when_wrong() -> None:
    # One remark decoded alike in 60 calls is one input to the model, not 60 observations.
    rows = [("rude", "stop moaning about the invoice", 0.9)] * 60
    calls = _calibrate(rows + ORDINARY, [Intent("rude", 0.95)] * 60 + QUIET)
    assert calls.point == NEVER
    assert calls.sentences == 2 * (60 + len(ORDINARY))
    # An ordinary sentence taken for a remark in three calls is three wrong certain verdicts: 100 right
    # remarks above it and the false alarm counted once would clear the bound (0.957), counted thrice not.
    remarks, intents = _remarks(100, top=0.99)
    wrong = [("none", "hang on, let me check", 0.9)]
    once = _calibrate(wrong + remarks + ORDINARY, [Intent("rude", 0.995), *intents, *QUIET])
    thrice = _calibrate(wrong * 3 + remarks + ORDINARY, [Intent("rude", 0.995)] * 3 + intents + QUIET)
    assert once.point == pytest.approx(0.99 - 0.002 * 99)
    assert (once.hits, once.right) == (102, 100)  # the false alarm in both sets' calls
    assert thrice.point == NEVER


def test_only_hits_nothing_else_makes_uncertain_decide_the_point() -> None:
    rows, intents = _remarks(60)
    # Ten of them over words heard unsurely, ten on a fragment: they stay uncertain anyway and do not count.
    rows[:10] = [(label, text, 0.65) for label, text, _ in rows[:10]]
    rows[10:20] = [("rude", f"shush {i}", 0.9) for i in range(10)]
    assert _calibrate(rows + ORDINARY, intents + QUIET).point == NEVER
    # A false alarm over unsure words does not move the point of the sure ones either.
    rows, intents = _remarks(60)
    false_alarm = [("none", "I can't hear you very well", 0.3)]
    calls = _calibrate(rows + false_alarm + ORDINARY, [*intents, Intent("rude", 0.99), *QUIET])
    assert calls.point == pytest.approx(0.95 - 0.002 * 59)


def test_a_hit_of_another_category_is_a_false_alarm() -> None:
    rows, intents = _remarks(90)
    intents[0] = Intent("blame_customer", intents[0].probability)
    calls = _calibrate(rows + ORDINARY, intents + QUIET)
    # 89 of 90 right from the top in each set: lower bound 0.952 with the wrong one counted once.
    assert calls.point < NEVER
    assert (calls.hits, calls.right) == (91, 89)  # the wrong one in both sets' calls


def test_false_alarms_weigh_as_often_as_calls_would_hold_them() -> None:
    # 90 remarks among 2000 ordinary sentences is 4.3 % of them: about a call's share (4.5 %); one false
    # alarm counts once and 89 of 90 clear the bound. Among 600 ordinary sentences remarks are 13 % of the
    # sentences, three times a call's share: the false alarm counts three times and no point is left.
    rows, intents = _remarks(90)
    intents[0] = Intent("blame_customer", intents[0].probability)
    assert _calibrate(rows + ORDINARY, intents + QUIET).point < NEVER
    assert _calibrate(rows + ORDINARY[:600], intents + QUIET[:600]).point == NEVER


def test_the_calibration_file_is_checked_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "calibration.tsv"
    path.write_text("label\ttext\tconf\tsource\nrude,blame_customer\tyou again\t0.8\tk/c@1.0\n")
    assert read_calibration(path).categories == [frozenset({"rude", "blame_customer"})]
    path.write_text("label\ttext\tconf\tsource\nangry\tyou again\t0.8\tk/c@1.0\n")
    with pytest.raises(ScriptError, match=":2:"):
        read_calibration(path)


def test_a_certain_remark_says_what_its_point_rests_on() -> None:
    hit = ModelMatch(
        "model:rude",
        "do you actually listen",
        1.0,
        2.0,
        93.0,
        0,
        mean_conf=0.9,
        first_token=-1,
        last_token=-1,
        certain_at=0.88,
        certain_on="60 of 60 right among 2100 decoded call sentences",
    )
    assert hit.weakness(50.0) is None
    unsure = replace(hit, mean_conf=0.65)  # above the model's point, over words heard unsurely
    assert unsure.weakness(50.0) == "model only, over words heard unsurely (conf 0.65)"
    assert hit.grounds() == (
        "model probability 0.93 (certain from 0.88: 60 of 60 right among 2100 decoded call sentences)"
    )


def test_the_calls_point_replaces_the_remark_categories_training_points(
    intents: IntentModel, tmp_path: Path
) -> None:
    packaged = read_calibration()
    assert intents.calls is not None and intents.calls.sha256 == packaged.sha256
    assert intents.n_samples == len(read_intents(None).texts)  # calibration sentences are not trained on
    calls = CallCalibration(0.6, 2100, 60, 60, packaged.sha256)
    model = replace(intents, calls=calls)
    remark, ordinary = model.classify(["come down", "Your refund has gone through."])
    assert remark.label == "rude" and (remark.certain_at, remark.certain_on) == (0.6, calls.basis)
    assert ordinary.label == "none" and ordinary.certain_at == intents.classifier.certain_at_["none"]
    assert model.certain_at["rude"] == 0.6
    assert model.certain_at["empathy"] == intents.classifier.certain_at_["empathy"]
    # The calibration sentences version the artifact: other ones make it stale.
    other = tmp_path / "calibration.tsv"
    other.write_text("label\ttext\tconf\tsource\nnone\tyour refund is on its way\t0.9\tk/c@1.0\n")
    assert data_version(calibration=other) != data_version() == intents.data_sha256
