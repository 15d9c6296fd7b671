"""Certainty points: the lowest probability with enough held-out precision, measured as a lower bound
that sees the data's real size."""

from __future__ import annotations

import numpy as np
import pytest

from qa.intents_certainty import NEVER, certainty_points, wilson_lower


def test_certainty_points_are_the_lowest_probability_with_enough_held_out_precision() -> None:
    # 20 held-out "rude" hits, most confident first; the two wrong ones sit at 0.75 and 0.55.
    probs = np.linspace(0.95, 0.5, 20)
    truth = ["rude"] * 20
    truth[8] = truth[17] = "none"
    points = certainty_points(truth, ["rude"] * 20, probs, precision=0.9, min_hits=5, z=0)
    kept = probs >= points["rude"]
    assert sum(t == "rude" for t, k in zip(truth, kept, strict=True) if k) / kept.sum() >= 0.9
    assert points["rude"] == pytest.approx(probs[19])  # all 20 hits: 18/20 = 0.9 (19 hits: 17/19 < 0.9)
    assert certainty_points(truth, ["rude"] * 20, probs, precision=0.99, min_hits=5, z=0)[
        "rude"
    ] == pytest.approx(probs[7])
    assert certainty_points(truth[:4], ["rude"] * 4, probs[:4], min_hits=5, z=0)["rude"] == NEVER


def test_a_certainty_point_needs_enough_hits_for_the_precision_it_claims() -> None:
    # Eight clean hits have a point-estimate precision of 1.0, but a 95 % lower bound of only ~0.75.
    assert wilson_lower(np.array([8]), np.array([8]), 1.645)[0] == pytest.approx(0.747, abs=0.005)
    probs = np.linspace(0.99, 0.5, 41)
    hits = ["rude"] * 8 + ["none"] + ["rude"] * 32
    # 40 of 41 right: 0.976 as a point estimate, 0.898 as a lower bound.
    assert certainty_points(hits, ["rude"] * 41, probs, precision=0.9, min_hits=5, z=0)["rude"] == probs[-1]
    assert certainty_points(hits, ["rude"] * 41, probs, precision=0.9, min_hits=5)["rude"] == NEVER
    assert certainty_points(hits, ["rude"] * 41, probs, precision=0.85, min_hits=5)["rude"] == probs[-1]
    # The eight clean hits alone never make a point, however high their probability.
    assert certainty_points(hits[:8], ["rude"] * 8, probs[:8], precision=0.85, min_hits=5)["rude"] == NEVER


def test_pooled_shuffles_count_each_row_once_in_the_lower_bound() -> None:
    # The same 41 held-out hits seen in 3 shuffles are 41 hits of evidence, not 123: the point is the
    # one-shuffle point. Counted as 123 the lower bound would clear 0.9 (0.941) where 41 do not (0.898).
    probs = np.linspace(0.99, 0.5, 41)
    hits = ["rude"] * 8 + ["none"] + ["rude"] * 32
    one = certainty_points(hits, ["rude"] * 41, probs, precision=0.9, min_hits=5)
    pooled = certainty_points(
        hits * 3, ["rude"] * 123, np.tile(probs, 3), precision=0.9, min_hits=5, repeats=3
    )
    inflated = certainty_points(hits * 3, ["rude"] * 123, np.tile(probs, 3), precision=0.9, min_hits=5)
    assert one == pooled == {"rude": NEVER}
    assert inflated["rude"] < NEVER
    # min_hits counts rows too: 8 rows seen in 2 shuffles are still 8 hits.
    assert certainty_points(
        ["rude"] * 16, ["rude"] * 16, np.tile(probs[:8], 2), min_hits=10, z=0, repeats=2
    ) == {"rude": NEVER}
