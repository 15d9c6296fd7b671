"""A calibration set's maths: Fleiss' kappa (the published worked example), keys per call, per-reviewer
agreement, kappa and deviation of totals against the key, per-item agreement across calls, and the
machine beside the reviewers."""

from __future__ import annotations

from collections import Counter

import pytest
from sklearn.metrics import cohen_kappa_score

from scoring.calibration_agreement import (
    MACHINE,
    CallVerdicts,
    call_keys,
    fleiss_kappa,
    summarise_set,
)
from scoring.scorecard import Scorecard, ScoreItemDef, score_verdicts

# Fleiss (1971) as tabulated on Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

CARD = Scorecard(
    id="t",
    version="1",
    items=(
        ScoreItemDef("greeting", "check", 50.0),
        ScoreItemDef("closing", "check", 30.0),
        ScoreItemDef("courtesy", "no_violations", 20.0),
    ),
)


def test_fleiss_kappa_matches_the_worked_example_and_is_undefined_on_one_category() -> None:
    subjects = [{str(j): n for j, n in enumerate(row) if n} for row in FLEISS_TABLE]
    assert fleiss_kappa(subjects) == pytest.approx(0.210, abs=0.0005)
    assert fleiss_kappa([{"pass": 3}, {"pass": 2}]) is None  # chance agreement is 1
    assert fleiss_kappa([{"pass": 1}]) is None  # one rater says nothing about agreement
    # Perfect agreement across two categories is 1; a subject with one rater is left out.
    assert fleiss_kappa([{"pass": 3}, {"fail": 3}, {"pass": 1}]) == pytest.approx(1.0)


def _calls() -> list[CallVerdicts]:
    p, f, na = "pass", "fail", "na"
    return [
        CallVerdicts(
            1,
            {
                1: {"greeting": p, "closing": p, "courtesy": p},  # the expert
                2: {"greeting": p, "closing": f, "courtesy": p},
                3: {"greeting": f, "closing": p, "courtesy": na},
            },
            {"greeting": p, "closing": p, "courtesy": f},
        ),
        CallVerdicts(
            2,
            {
                1: {"greeting": f, "closing": p, "courtesy": p},
                2: {"greeting": f, "closing": p, "courtesy": p},
                3: {"greeting": f, "closing": f, "courtesy": p},
            },
            {"greeting": p, "closing": p, "courtesy": p},
        ),
        # The expert has not scored this call: the majority is the key, and the closing ties (no key).
        CallVerdicts(
            3,
            {
                2: {"greeting": p, "closing": p, "courtesy": p},
                3: {"greeting": p, "closing": f, "courtesy": p},
            },
            {"greeting": p, "closing": f, "courtesy": p},
        ),
    ]


def test_keys_are_the_expert_else_the_majority() -> None:
    calls = _calls()
    assert call_keys(calls[0], 1, ["greeting", "closing"]) == {"greeting": "pass", "closing": "pass"}
    assert call_keys(calls[2], 1, ["greeting", "closing"]) == {"greeting": "pass", "closing": None}
    assert call_keys(calls[0], None, ["courtesy"]) == {"courtesy": "pass"}  # two of three


def _total(verdicts: dict[str, str]) -> float:
    return score_verdicts({i: {"pass": True, "fail": False}.get(v) for i, v in verdicts.items()}, CARD).total


def test_per_reviewer_agreement_kappa_and_total_deviation_with_the_machine_beside() -> None:
    calls = _calls()
    s = summarise_set(calls, 1, CARD)
    by = {r.rater_id: r for r in s.raters}
    assert list(by) == [1, 2, 3, MACHINE]
    # Reviewer 2 against the keys: call 1 (p,p,p) -> 2 of 3; call 2 (f,p,p) -> 3 of 3; call 3 keyed
    # greeting p and courtesy p -> 2 of 2.
    assert by[2].compared == 8 and by[2].agreement == pytest.approx(7 / 8)
    mine = ["pass", "fail", "pass", "fail", "pass", "pass", "pass", "pass"]
    keys = ["pass", "pass", "pass", "fail", "pass", "pass", "pass", "pass"]
    assert by[2].kappa == pytest.approx(cohen_kappa_score(mine, keys))
    assert by[1].kappa is None and by[1].agreement == 1.0  # the expert is the key
    # Totals only on calls whose every item has a key (1 and 2): reviewer 2 failed call 1's closing.
    key1, key2 = (
        {"greeting": "pass", "closing": "pass", "courtesy": "pass"},
        {
            "greeting": "fail",
            "closing": "pass",
            "courtesy": "pass",
        },
    )
    d1 = _total({"greeting": "pass", "closing": "fail", "courtesy": "pass"}) - _total(key1)
    assert by[2].calls == 2 and by[2].total_bias == pytest.approx(d1 / 2)
    assert by[2].total_deviation == pytest.approx(abs(d1) / 2)
    # Reviewer 3 said N/A on call 1's courtesy: the item leaves the denominator (a different total).
    d3 = [
        _total({"greeting": "fail", "closing": "pass", "courtesy": "na"}) - _total(key1),
        _total({"greeting": "fail", "closing": "fail", "courtesy": "pass"}) - _total(key2),
    ]
    assert by[3].total_bias == pytest.approx(sum(d3) / 2)
    assert by[3].total_deviation == pytest.approx(sum(abs(d) for d in d3) / 2)
    # The machine: call 1 courtesy and call 2 greeting differ from the key; call 3 all keyed ones match.
    assert by[MACHINE].compared == 8 and by[MACHINE].agreement == pytest.approx(6 / 8)


def test_per_item_agreement_and_kappas_across_the_calls() -> None:
    calls = _calls()
    s = summarise_set(calls, 1, CARD)
    closing = next(i for i in s.items if i.item == "closing")
    assert closing.keyed_calls == 2  # call 3 tied
    # Keyed calls 1 and 2 (key pass both): votes p,f,p and p,p,f -> 4 of 6.
    assert closing.agreement == pytest.approx(4 / 6)
    assert closing.machine_agreement == 1.0
    assert closing.fleiss_kappa == pytest.approx(
        fleiss_kappa(
            [Counter({"pass": 2, "fail": 1}), Counter({"pass": 2, "fail": 1}), Counter(["pass", "fail"])]
        )
    )
    greeting = next(i for i in s.items if i.item == "greeting")
    assert greeting.machine_agreement == pytest.approx(2 / 3)
    every = [
        Counter(v[i] for v in c.reviewers.values())
        for c in calls
        for i in ("greeting", "closing", "courtesy")
    ]
    assert s.fleiss_kappa == pytest.approx(fleiss_kappa(every))
    # Light's kappa: the mean of the three pairs' Cohen's kappa over what both scored.
    pairs = []
    for a, b in ((1, 2), (1, 3), (2, 3)):
        xs, ys = [], []
        for c in calls:
            if a in c.reviewers and b in c.reviewers:
                for i in ("greeting", "closing", "courtesy"):
                    xs.append(c.reviewers[a][i])
                    ys.append(c.reviewers[b][i])
        pairs.append(cohen_kappa_score(xs, ys))
    assert s.pairwise_kappa == pytest.approx(sum(pairs) / 3)


def test_without_any_verdicts_nothing_is_defined() -> None:
    s = summarise_set([CallVerdicts(1, {}, {"greeting": "pass"})], None, CARD)
    assert s.fleiss_kappa is None and s.pairwise_kappa is None
    assert [r.rater_id for r in s.raters] == [MACHINE]
    assert s.raters[0].compared == 0 and s.raters[0].agreement is None
