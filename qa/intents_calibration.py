"""Certainty of model-only forbidden remarks, measured on agent sentences as the product decodes in calls.

The training-CV certainty points (`qa.intents_certainty`) come from written sentences and a few phone-line
readings of them, with false alarms up-weighted to imitate calls: a proxy. The claim a certain model-only
remark makes is "right ≥ CERTAIN_PRECISION of the time on calls the model never saw". This module measures
that claim on its own terms: the calibration file (`CALIBRATION_DATA`, made by `bench.remark_calibration`)
holds agent sentences as the first decode wrote them in generated calls, each labelled with the forbidden
categories of the reference turns under it, none of them trained on. The model classifies them after it is
fitted; the point is the lowest probability from which its remark hits there are right by the Wilson rule of
`qa.intents_certainty.certainty_point`.

What counts, and why:
- the unit is a remark of any category (a hit is right where a turn of its own category lies under it):
  with each category drawn from a few generator wordings, no category alone has the ≥ 52 hits a 0.95 lower
  bound needs; the calibrated probabilities share one scale;
- only hits that nothing else makes uncertain: words heard with mean confidence ≥ MODEL_ONLY_MIN_CONF and
  at least MIN_CERTAIN_CONTENT_WORDS content words (`qa.intent_evidence.ModelMatch.weakness`), so the point is
  measured on the hits it decides;
- a right hit counts once per decoded text: the same words are the same input and get the same probability,
  so a remark decoded alike in ten calls is one observation of the model, not ten; a false alarm counts in
  every call it happens in (each is a wrong certain verdict someone meets): conservative both ways;
- false alarms count as often as they would among calls' agent sentences (`call_share`; the calibration
  calls hold more remarks than calls do), never less than once;
- the point must hold without any one set: it is the highest of the points measured with each set's calls
  left out in turn (a set is a source's prefix, one generator's wording). A point that one generator's calls
  carry alone rests on that generator's few wordings, not on the model reading remarks, and more seeds of
  one generator cannot buy it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from qa.exceptions import ScriptError
from qa.intent_evidence import MIN_CERTAIN_CONTENT_WORDS, content_words
from qa.intents import NONE, Intent, normalized
from qa.intents_certainty import CALL_PREVALENCE, MODEL_ONLY_MIN_CONF, NEVER, certainty_point
from qa.labelled import read_tsv
from qa.phrases import CATEGORIES

CALIBRATION_DATA = "remark_calibration_en.tsv"
CALL_SHARE = len(CATEGORIES) * CALL_PREVALENCE
"""Share (0–1) of a call's agent sentences that are a forbidden remark of any category."""
CALIBRATION_RULE = (
    f"calls: any-remark conf>={MODEL_ONLY_MIN_CONF} content>={MIN_CERTAIN_CONTENT_WORDS} "
    f"right-once-per-text false-per-call share={CALL_SHARE:g} worst-leave-one-set-out"
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
    `right` were over a remark of their category."""
    right: int
    sha256: str
    """The calibration file's sha256."""

    @property
    def basis(self) -> str:
        """What the point rests on, for the reviewer (and why there is none)."""
        if self.point >= NEVER:
            return f"no probability right often enough with each set left out, {self.sentences} sentences"
        return f"{self.right} of {self.hits} right among {self.sentences} decoded call sentences"


def decides(text: str, conf: float) -> bool:
    """Whether a model hit on `text`, heard with mean confidence `conf` (0–1), is certain or not by its
    probability alone (`qa.intent_evidence.ModelMatch.weakness` makes the others uncertain in any case)."""
    return conf >= MODEL_ONLY_MIN_CONF and len(content_words(text)) >= MIN_CERTAIN_CONTENT_WORDS


def calibrate_remarks(
    rows: CalibrationRows,
    intents: Sequence[Intent],
    *,
    call_share: float = CALL_SHARE,
) -> CallCalibration:
    """The calls' certainty point from the model's verdicts `intents` on `rows.texts` (one per row; the
    model must not have been trained on them): the highest of the points without each set, NEVER with one
    set only. See the module docstring for what counts."""
    sets = [source.split("/")[0] for source in rows.sources]
    folds = [
        _point(rows, intents, [s != left_out for s in sets], call_share) for left_out in sorted(set(sets))
    ]
    point = max(folds) if len(folds) > 1 else NEVER
    above = [right for p, right in _hits(rows, intents, [True] * len(sets)) if p >= point]
    return CallCalibration(point, len(rows.texts), len(above), sum(above), rows.sha256)


def _point(
    rows: CalibrationRows, intents: Sequence[Intent], keep: Sequence[bool], call_share: float
) -> float:
    remarks = sum(1 for said, k in zip(rows.categories, keep, strict=True) if k and said)
    others = sum(keep) - remarks
    # (others per remark in calls) / (others per remark here), never below one.
    weight = max(1.0, (1 - call_share) / call_share * remarks / others) if remarks and others else 1.0
    hits = _hits(rows, intents, keep)
    return certainty_point([r for _, r in hits], [p for p, _ in hits], false_alarm_weight=weight)


def _hits(rows: CalibrationRows, intents: Sequence[Intent], keep: Sequence[bool]) -> list[tuple[float, bool]]:
    """(probability, right) of the kept rows' remark hits that count (see the module docstring)."""
    hits: list[tuple[float, bool]] = []
    counted: set[tuple[str, frozenset[str]]] = set()
    for text, said, conf, intent, k in zip(
        rows.texts, rows.categories, rows.confs, intents, keep, strict=True
    ):
        if not k or intent.label not in CATEGORIES or not decides(text, conf):
            continue
        right = intent.label in said
        if right and (normalized(text), said) in counted:
            continue
        counted.add((normalized(text), said))
        hits.append((intent.probability, right))
    return hits
