"""Certainty of model-only forbidden remarks, measured on agent sentences as the product decodes in calls.

The training-CV certainty points (`qa.intents_certainty`) come from written sentences and a few phone-line
readings of them, with false alarms up-weighted to imitate calls: a proxy. The claim a certain model-only
remark makes is "right ≥ CERTAIN_PRECISION of the time on calls the model never saw". This module measures
that claim on its own terms: the calibration file (`CALIBRATION_DATA`, made by `bench.remark_calibration`)
holds agent sentences as the first decode wrote them in generated calls, each labelled with the forbidden
categories of the reference turns under it, none of them trained on. The model classifies them after it is
fitted.

How the point is chosen and checked (a set is a source's prefix, one generator's wording):
- with each set left out in turn, a point is chosen on the other sets: the lowest probability from which
  their remark hits reach a Wilson lower bound of SELECTION_PRECISION (`qa.intents_certainty.certainty_point`;
  about 25 right hits in a row);
- the hits each such point makes certain on its left-out set are counted, and the point stands only when
  those held-out hits, pooled over the left-out sets, are right ≥ CERTAIN_PRECISION of the time (counted as
  below): the precision claimed is one measured on wording the point was not chosen on. The bound asked
  inside a fold is the weaker one because no fold holds the ≥ 52 right hits a 0.95 lower bound needs;
  choosing there and checking on the left-out sets is what stops a loose point, not the bound;
- the point in use is the highest of the fold points, so every set's certain hits in use are among those
  checked with that set left out; with one set only, or no held-out hit, there is none.

What counts, and why:
- the claim is "a forbidden remark was said here", not its category: a hit is right where a remark turn of
  any category lies under it. The model's sure mistakes on decoded calls are mostly category confusions
  (a blame-the-caller turn read as rude at 0.80) that no point can separate from right hits; so a certain
  model-only remark states that a remark was said, and its category is the model's likeliest
  (`qa.intents.Intent.category_sure`, `qa.phrases.Violation.category_sure`);
- only hits that nothing else makes uncertain: words heard with mean confidence ≥ MODEL_ONLY_MIN_CONF and
  at least MIN_CERTAIN_CONTENT_WORDS content words (`qa.intent_evidence.ModelMatch.weakness`), so the point is
  measured on the hits it decides;
- a right hit counts once per decoded text: the same words are the same input and get the same probability,
  so a remark decoded alike in ten calls is one observation of the model, not ten; a false alarm counts in
  every call it happens in (each is a wrong certain verdict someone meets): conservative both ways;
- false alarms count as often as they would among calls' agent sentences (`call_share`; the calibration
  calls hold more remarks than calls do), never less than once, in choosing and in checking alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from qa.exceptions import ScriptError
from qa.intent_evidence import MIN_CERTAIN_CONTENT_WORDS, content_words
from qa.intents import NONE, Intent, normalized
from qa.intents_certainty import (
    CALL_PREVALENCE,
    CERTAIN_PRECISION,
    CERTAINTY_Z,
    MODEL_ONLY_MIN_CONF,
    NEVER,
    certainty_point,
    wilson_lower,
)
from qa.labelled import read_tsv
from qa.phrases import CATEGORIES

CALIBRATION_DATA = "remark_calibration_en.tsv"
CALL_SHARE = len(CATEGORIES) * CALL_PREVALENCE
"""Share (0–1) of a call's agent sentences that are a forbidden remark of any category."""
SELECTION_PRECISION = 0.90
"""Wilson lower bound (0–1, at CERTAINTY_Z) of precision from which a point is chosen on the sets of a fold
(about 25 right hits in a row): a choice, checked on the left-out sets at CERTAIN_PRECISION. At 0.95 a fold
needs ≥ 52 right hits in a row; no fold of the 4084 calibration sentences held them (40 without set K)."""
CALIBRATION_RULE = (
    f"calls: remark-said-any-category conf>={MODEL_ONLY_MIN_CONF} content>={MIN_CERTAIN_CONTENT_WORDS} "
    f"right-once-per-text false-per-call share={CALL_SHARE:g} chosen-lower-bound>={SELECTION_PRECISION} "
    f"held-out-pooled>={CERTAIN_PRECISION} highest-fold-point"
)
"""How the calls' certainty point is computed (kept in the artifact: one made under another rule refits)."""


class CalibrationRows(NamedTuple):
    """Calibration sentences: decoded texts, the forbidden categories under each (empty: none), mean word
    confidences (0–1), sources, and the file's sha256."""

    texts: list[str]
    categories: list[frozenset[str]]
    confs: list[float]
    sources: list[str]
    sha256: str


def read_calibration(path: Path | None = None) -> CalibrationRows:
    """Rows of a `label<TAB>text<TAB>conf<TAB>source` file (default the packaged CALIBRATION_DATA); a label
    is `none` or comma-joined forbidden categories. ScriptError names a malformed line."""
    rows, digest, source = read_tsv(path, CALIBRATION_DATA)
    out = CalibrationRows([], [], [], [], digest)
    for lineno, row in rows:
        said = frozenset(row[0].split(",")) - {NONE} if row else frozenset()
        if len(row) != 4 or not row[1].strip() or not said <= set(CATEGORIES):
            raise ScriptError(f"{source}:{lineno}: expected none|category[,…]<TAB>text<TAB>conf<TAB>source")
        out.texts.append(row[1])
        out.categories.append(said)
        out.confs.append(float(row[2]))
        out.sources.append(row[3])
    return out


@dataclass(frozen=True)
class CallCalibration:
    """The calls' certainty point of a model-only remark and what it rests on."""

    point: float
    """Model probability (0–1) from which a model-only remark is certain; NEVER when none is."""
    sentences: int
    """Decoded call sentences the point was measured on."""
    hits: int
    """Remark hits at or above the point (a right one once per text, a false alarm per call); of them
    `right` were over a remark (of any category)."""
    right: int
    sha256: str
    """The calibration file's sha256."""
    held_out_hits: int = 0
    """Hits the fold points made certain on their left-out sets, pooled (counted as `hits`); of them
    `held_out_right` were over a remark."""
    held_out_right: int = 0
    held_out_precision: float = 0.0
    """Their precision (0–1), false alarms weighted as calls would hold them."""
    held_out_lower: float = 0.0
    """Its one-sided Wilson lower bound at CERTAINTY_Z (0–1): what the held-out count can vouch for."""

    @property
    def basis(self) -> str:
        """What the point rests on, for the reviewer (and why there is none)."""
        held_out = (
            f"{self.held_out_right} of {self.held_out_hits} right on call sets it was not chosen on "
            f"(precision {self.held_out_precision:.3f}, lower bound {self.held_out_lower:.3f})"
        )
        if self.point >= NEVER:
            checked = held_out if self.held_out_hits else "no hit on call sets it was not chosen on"
            return f"no point held: {checked}; {self.sentences} decoded call sentences"
        return (
            f"a remark of any category: {held_out}; {self.right} of {self.hits} among all "
            f"{self.sentences} decoded call sentences"
        )


def decides(text: str, conf: float) -> bool:
    """Whether a model hit on `text`, heard with mean confidence `conf` (0–1), is certain or not by its
    probability alone (`qa.intent_evidence.ModelMatch.weakness` makes the others uncertain in any case)."""
    return conf >= MODEL_ONLY_MIN_CONF and len(content_words(text)) >= MIN_CERTAIN_CONTENT_WORDS


class Fold(NamedTuple):
    """One set left out: the point chosen on the other sets, and the hits it makes certain on this one
    (counted as `CallCalibration.hits`; `weight`: trials a false alarm here counts)."""

    left_out: str
    point: float
    right: int
    hits: int
    weight: float


def held_out_folds(
    rows: CalibrationRows, intents: Sequence[Intent], *, call_share: float = CALL_SHARE
) -> list[Fold]:
    """Per set (a source's prefix), the point chosen without it and how its hits fare above that point."""
    sets = [source.split("/")[0] for source in rows.sources]
    folds = []
    for left_out in sorted(set(sets)):
        keep = [s != left_out for s in sets]
        point = _point(rows, intents, keep, call_share)
        mine = [not k for k in keep]
        certain = [r for p, r in _hits(rows, intents, mine) if p >= point]
        folds.append(Fold(left_out, point, sum(certain), len(certain), _weight(rows, mine, call_share)))
    return folds


def calibrate_remarks(
    rows: CalibrationRows,
    intents: Sequence[Intent],
    *,
    call_share: float = CALL_SHARE,
) -> CallCalibration:
    """The calls' certainty point from the model's verdicts `intents` on `rows.texts` (one per row; the
    model must not have been trained on them): chosen with each set left out, checked on the left-out sets
    (NEVER unless their pooled precision is ≥ CERTAIN_PRECISION; with one set only, NEVER). See the module
    docstring for what counts."""
    folds = held_out_folds(rows, intents, call_share=call_share)
    right, hits = sum(f.right for f in folds), sum(f.hits for f in folds)
    weighed = sum(f.right + f.weight * (f.hits - f.right) for f in folds)
    precision = right / weighed if weighed else 0.0
    lower = float(wilson_lower(np.asarray(right), np.asarray(weighed), CERTAINTY_Z)) if weighed else 0.0
    held = len(folds) > 1 and hits > 0 and precision >= CERTAIN_PRECISION
    point = max(f.point for f in folds) if held else NEVER
    above = [r for p, r in _hits(rows, intents, [True] * len(rows.texts)) if p >= point]
    return CallCalibration(
        point, len(rows.texts), len(above), sum(above), rows.sha256, hits, right, precision, lower
    )


def _weight(rows: CalibrationRows, keep: Sequence[bool], call_share: float) -> float:
    """How many trials a false alarm among the kept rows counts: (others per remark in calls) / (others per
    remark here), never below one."""
    remarks = sum(1 for said, k in zip(rows.categories, keep, strict=True) if k and said)
    others = sum(keep) - remarks
    return max(1.0, (1 - call_share) / call_share * remarks / others) if remarks and others else 1.0


def _point(
    rows: CalibrationRows, intents: Sequence[Intent], keep: Sequence[bool], call_share: float
) -> float:
    hits = _hits(rows, intents, keep)
    return certainty_point(
        [r for _, r in hits],
        [p for p, _ in hits],
        false_alarm_weight=_weight(rows, keep, call_share),
        precision=SELECTION_PRECISION,
    )


def _hits(rows: CalibrationRows, intents: Sequence[Intent], keep: Sequence[bool]) -> list[tuple[float, bool]]:
    """(probability, right) of the kept rows' remark hits that count (see the module docstring)."""
    hits: list[tuple[float, bool]] = []
    counted: set[tuple[str, frozenset[str]]] = set()
    for text, said, conf, intent, k in zip(
        rows.texts, rows.categories, rows.confs, intents, keep, strict=True
    ):
        if not k or intent.label not in CATEGORIES or not decides(text, conf):
            continue
        right = bool(said)
        if right and (normalized(text), said) in counted:
            continue
        counted.add((normalized(text), said))
        hits.append((intent.probability, right))
    return hits
