"""The calls' certainty point of model-only remarks: chosen with each set left out, standing only when right
≥ 0.95 on the sets it was not chosen on; measured on the hits it decides, each distinct decoded text once,
false alarms weighed as calls would hold them; and the reviewer is told what it rests on."""

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
        [f"{name}/call{i}@1.0" for name in sets for i in range(len(rows))],
        "sha",
    )


def _joined(*parts: CalibrationRows) -> CalibrationRows:
    return CalibrationRows(
        [t for p in parts for t in p.texts],
        [c for p in parts for c in p.categories],
        [c for p in parts for c in p.confs],
        [s for p in parts for s in p.sources],
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


def test_a_point_is_chosen_on_25_right_remarks_of_the_other_sets_and_checked_on_the_left_out_one() -> None:
    rows, intents = _remarks(25)
    calls = _calibrate(rows + ORDINARY, intents + QUIET)
    # Chosen on one set (25 of 25: lower bound 0.902 ≥ 0.90), right 25 of 25 on the other, both ways.
    assert calls.point == pytest.approx(0.95 - 0.002 * 24)
    assert (calls.held_out_right, calls.held_out_hits, calls.held_out_precision) == (50, 50, 1.0)
    assert calls.held_out_lower == pytest.approx(50 / (50 + 1.645**2))
    assert (calls.hits, calls.right, calls.sentences) == (25, 25, 4050)
    assert calls.basis == (
        "a remark of any category: 50 of 50 right on call sets it was not chosen on (precision 1.000, "
        "lower bound 0.949); 25 of 25 among all 4050 decoded call sentences"
    )
    # 24 are too few to choose a point on (lower bound 0.899), however sure the model is of them.
    too_few = _calibrate(rows[:24] + ORDINARY, intents[:24] + QUIET)
    assert too_few.point == NEVER
    assert (
        too_few.basis
        == "no point held: no hit on call sets it was not chosen on; 4048 decoded call sentences"
    )


def test_the_point_stands_only_when_right_on_the_sets_it_was_not_chosen_on() -> None:
    # Two generators' calls hold the same 40 remarks (0.95 down to 0.872); real recorded speech
    # ("asterisk") holds none, but one of its prompts is read as a remark at 0.90 in some of its calls.
    # Chosen with those calls, a fold's point is 0.902, above the prompt (25 right hits); chosen without
    # them, 0.872: the prompt is then a false certain remark in each call it is said in.
    rows, intents = _remarks(40)
    generated = _rows(rows + ORDINARY)
    prompt = ("none", "the person you are calling is not at their desk", 0.95)

    def with_prompt(calls: int) -> CallCalibration:
        real = _rows([prompt] * calls + ORDINARY[:50], sets=("asterisk",))
        said = [Intent("blame_shifting", 0.90)] * calls + [Intent("none", 0.9)] * 50
        return calibrate_remarks(_joined(generated, real), (intents + QUIET) * 2 + said)

    once = with_prompt(1)  # held out: 25 + 25 right on the generators' calls, 1 false on the prompt's
    assert (once.held_out_right, once.held_out_hits) == (50, 51)
    assert once.point == pytest.approx(0.95 - 0.002 * 24)  # the highest fold point
    thrice = with_prompt(3)  # 50 of 53 (0.943): no point, though each fold chose one
    assert (thrice.held_out_right, thrice.held_out_hits) == (50, 53)
    assert thrice.held_out_precision == pytest.approx(50 / 53)
    assert thrice.point == NEVER
    assert thrice.basis.startswith("no point held: 50 of 53 right on call sets it was not chosen on")
    # With one set only nothing is left out to check on.
    assert _calibrate(rows + ORDINARY, intents + QUIET, sets=("k",)).point == NEVER


def test_a_hit_is_right_over_a_remark_of_any_category_and_wrong_over_none() -> None:
    # The claim is that a remark was said: a rude turn read as blaming the caller is a right hit (its
    # category is the model's likeliest, stated so: see test_a_certain_remark_of_a_guessed_category…).
    rows, intents = _remarks(25)
    confused = [Intent("blame_customer", i.probability) if n % 2 else i for n, i in enumerate(intents)]
    assert _calibrate(rows + ORDINARY, confused + QUIET).point == pytest.approx(0.95 - 0.002 * 24)
    # The same probabilities over ordinary sentences are false alarms.
    assert _calibrate(ORDINARY, confused + QUIET[25:]).point == NEVER


def test_the_same_decoded_words_count_once_when_right_and_in_every_call_when_wrong() -> None:
    # One remark decoded alike in 30 calls is one input to the model, not 30 observations.
    rows = [("rude", "stop moaning about the invoice", 0.9)] * 30
    calls = _calibrate(rows + ORDINARY, [Intent("rude", 0.95)] * 30 + QUIET)
    assert calls.point == NEVER
    assert calls.sentences == 2 * (30 + len(ORDINARY))
    # An ordinary sentence taken for a remark is a wrong certain verdict in every call it is said in:
    # above 45 right remarks, once it leaves a point (45 of 46: lower bound 0.908 in a fold, 90 of 92
    # right held out), thrice none (45 of 48: 0.854).
    remarks, intents = _remarks(45, top=0.99)
    wrong = [("none", "hang on, let me check", 0.9)]
    once = _calibrate(wrong + remarks + ORDINARY, [Intent("rude", 0.995), *intents, *QUIET])
    thrice = _calibrate(wrong * 3 + remarks + ORDINARY, [Intent("rude", 0.995)] * 3 + intents + QUIET)
    assert (once.held_out_right, once.held_out_hits) == (90, 92)
    assert once.point == pytest.approx(0.99 - 0.002 * 44)
    assert thrice.point == NEVER


def test_only_hits_nothing_else_makes_uncertain_decide_the_point() -> None:
    rows, intents = _remarks(35)
    # Six of them over words heard unsurely, five on a fragment: they stay uncertain anyway and do not
    # count, and 24 are left.
    rows[:6] = [(label, text, 0.65) for label, text, _ in rows[:6]]
    rows[6:11] = [("rude", "shush", 0.9)] * 5
    assert _calibrate(rows + ORDINARY, intents + QUIET).point == NEVER
    # A false alarm over unsure words does not move the point of the sure ones either.
    rows, intents = _remarks(35)
    false_alarm = [("none", "I can't hear you very well", 0.3)]
    calls = _calibrate(rows + false_alarm + ORDINARY, [*intents, Intent("rude", 0.99), *QUIET])
    assert calls.point == pytest.approx(0.95 - 0.002 * 34)
    assert calls.held_out_hits == 70


def test_false_alarms_weigh_as_often_as_calls_would_hold_them() -> None:
    # 45 remarks among 2000 ordinary sentences are 2 % of them, under a call's share (4.5 %): a false alarm
    # counts once and leaves a point (see above). Among 300 they are 13 %, 3.2 times a call's share: the
    # false alarm counts 3.2 times, and no point is left.
    remarks, intents = _remarks(45, top=0.99)
    wrong = [("none", "hang on, let me check", 0.9)]
    sure = [Intent("rude", 0.995), *intents]
    assert _calibrate(wrong + remarks + ORDINARY, sure + QUIET).point < NEVER
    assert _calibrate(wrong + remarks + ORDINARY[:300], sure + QUIET[:300]).point == NEVER


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


def test_a_remark_certain_by_the_calls_point_has_its_category_guessed_unless_the_reader_agrees() -> None:
    hit = ModelMatch(
        "model:rude", "do you actually listen", 1.0, 2.0, 93.0, 0, mean_conf=0.9, first_token=-1,
        last_token=-1, certain_at=0.88, category_sure=False,
    )  # fmt: skip
    assert hit.weakness(50.0) is None and hit.category_guessed
    # The word reader reading the same category (its agreement point is one of that category) vouches for it.
    agreed = replace(hit, reader=0.9, agree_at=0.85)
    assert agreed.agreed and not agreed.category_guessed
    assert not replace(hit, category_sure=True).category_guessed


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
    assert not remark.category_sure  # the point vouches for a remark of any category
    assert ordinary.label == "none" and ordinary.certain_at == intents.classifier.certain_at_["none"]
    assert ordinary.category_sure
    assert model.certain_at["rude"] == 0.6
    assert model.certain_at["empathy"] == intents.classifier.certain_at_["empathy"]
    # The calibration sentences version the artifact: other ones make it stale.
    other = tmp_path / "calibration.tsv"
    other.write_text("label\ttext\tconf\tsource\nnone\tyour refund is on its way\t0.9\tk/c@1.0\n")
    assert data_version(calibration=other) != data_version() == intents.data_sha256
