"""Certainty points: from which probability a classifier's hits are right often enough to be stated
without a person, measured on held-out (cross-validated) predictions.

A category's point is the lowest probability at which a one-sided Wilson lower bound of its held-out
precision stays ≥ CERTAIN_PRECISION over at least MIN_CERTAIN_HITS hits, with false alarms weighted by how
common the other classes are in calls (CALL_PREVALENCE) rather than in the training mix. The intent model
(`qa.intents.IntentClassifier`) and the Chinese intent model use it for their categories and script elements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

CERTAIN_PRECISION = 0.95
"""Held-out precision (0–1) a category's hits must reach for the model alone to state a violation."""
MIN_CERTAIN_HITS = 10
"""Held-out hits needed above a certainty point for its precision to mean anything; fewer: never certain."""
CERTAINTY_Z = 1.645
"""One-sided normal quantile of the Wilson lower bound a certainty point's held-out precision must clear
(1.645: 95 % confidence). The point estimate on a few dozen hits is noise: one unlucky fold moved a
category's point low enough for an ordinary sentence of an unseen call set to be stated a certain violation;
the lower bound asks for as many hits as the claim needs (all right: ≥ 52 hits for 0.95)."""
CERTAINTY_RULE = f"wilson-lower z={CERTAINTY_Z} precision={CERTAIN_PRECISION} min-hits={MIN_CERTAIN_HITS}"
"""How certainty points are computed, kept in each model artifact: one made under another rule is refitted."""
CERTAINTY_REPEATS = 5
"""Fold shuffles whose held-out predictions the English intent model's certainty points are pooled over
(`IntentClassifier.repeats`). From one shuffle, where the rows happened to fall decided whether a category
was ever certain: 20 added self-introductions, unrelated to any remark, moved rude from never certain to
0.857 and blame_shifting from never to 0.853."""
CALL_PREVALENCE = 0.015
"""Share (0–1) of a call's agent sentences that belong to one given forbidden category: 10 remarks in 219
agent sentences of the dev set's reference turns, over 3 categories. Training data holds a far larger
share, so a held-out false alarm counts as often as it would among real calls (see certainty_points)."""
MODEL_ONLY_MIN_CONF = 0.7
"""Mean recogniser confidence (0–1) over a sentence's words for the intent model alone to state a remark
certain (`qa.intent_evidence.ModelMatch`): on decoded call sentences (qa/data/remark_calibration_en.tsv),
model hits at ≥ 0.75 over words heard at 0.5–0.7 were right 12 times in 14 (both wrong ones a garbled
blame-shifting remark read as rude), over words heard at ≥ 0.7 71 in 71."""
NEVER = 1.01
"""Certainty point of a category that never reached CERTAIN_PRECISION (no probability is above it)."""


def certainty_points(
    labels: Sequence[str] | np.ndarray,
    predicted: Sequence[str] | np.ndarray,
    probability: Sequence[float] | np.ndarray,
    *,
    precision: float = CERTAIN_PRECISION,
    min_hits: int = MIN_CERTAIN_HITS,
    prevalence: Mapping[str, float] | None = None,
    z: float = CERTAINTY_Z,
    repeats: int = 1,
) -> dict[str, float]:
    """Per predicted class, the lowest probability t at which the precision of {predicted == class,
    probability ≥ t} is ≥ `precision` over at least `min_hits` hits (NEVER when there is none), the
    precision taken as its one-sided Wilson lower bound at `z` (`wilson_lower`; z=0: the point
    estimate). Inputs are held-out (cross-validated) predictions.

    `prevalence` (class → its share of the sentences where the model is used, 0–1) weights each false
    alarm of a listed class by how much more common the other classes are there than in `labels`, so the
    precision is the one expected in use, not on the training mix; unlisted classes count as they are.

    `repeats`: the inputs are the held-out predictions of that many fold shuffles, concatenated (each row
    once per shuffle). Their pooled precision curve is smoother than one shuffle's, but the rows are the
    same rows again: hits and false alarms count 1/`repeats` each, so the lower bound and `min_hits` see
    the data's real size."""
    truth, pred, prob = np.asarray(labels), np.asarray(predicted), np.asarray(probability, dtype=float)
    points: dict[str, float] = {}
    for cls in sorted(set(pred.tolist())):
        mine = pred == cls
        positives = int(np.sum(truth == cls))
        share = (prevalence or {}).get(cls)
        # (others per positive in use) / (others per positive in the data)
        weight = (1 - share) / share * positives / (len(truth) - positives) if share else 1.0
        points[cls] = certainty_point(
            truth[mine] == cls,
            prob[mine],
            false_alarm_weight=weight,
            precision=precision,
            min_hits=min_hits,
            z=z,
            repeats=repeats,
        )
    return points


def certainty_point(
    right: Sequence[bool] | np.ndarray,
    probability: Sequence[float] | np.ndarray,
    *,
    false_alarm_weight: float = 1.0,
    precision: float = CERTAIN_PRECISION,
    min_hits: int = MIN_CERTAIN_HITS,
    z: float = CERTAINTY_Z,
    repeats: int = 1,
) -> float:
    """The lowest probability t at which the hits with probability ≥ t (`right`: whether each hit was
    right) reach `precision` as a one-sided Wilson lower bound at `z` over at least `min_hits` hits, each
    wrong hit counting `false_alarm_weight` trials; NEVER when no t does (see certainty_points)."""
    order = np.argsort(-np.asarray(probability, dtype=float), kind="stable")
    probs = np.asarray(probability, dtype=float)[order]
    hits_right = np.cumsum(np.asarray(right, dtype=bool)[order])
    wrong = np.arange(1, len(probs) + 1) - hits_right
    precision_at = wilson_lower(hits_right / repeats, (hits_right + false_alarm_weight * wrong) / repeats, z)
    # k = number of hits kept by a threshold at probs[k-1]; a cut inside a run of equal
    # probabilities cannot be applied, so only run ends count.
    ends = [
        k for k in range(min_hits * repeats, len(probs) + 1) if k == len(probs) or probs[k] < probs[k - 1]
    ]
    good = [k for k in ends if precision_at[k - 1] >= precision]
    return float(probs[max(good) - 1]) if good else NEVER


def wilson_lower(right: np.ndarray, total: np.ndarray, z: float) -> np.ndarray:
    """One-sided Wilson score lower bound (0–1) of a proportion `right`/`total` at normal quantile `z`;
    `total` may be fractional (weighted false alarms count as more than one trial)."""
    n = np.maximum(np.asarray(total, dtype=float), 1e-12)
    p = np.asarray(right, dtype=float) / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    return np.asarray((centre - spread) / (1 + z2 / n))
