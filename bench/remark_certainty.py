"""How the calls' certainty point of model-only remarks (`qa.intents_calibration`) generalises: the point
measured on every set but one, and how right the remark hits it makes certain are on the set left out.

A point measured on a set and scored on the same set is a fitted figure; leaving each set out in turn shows
what the point does on calls whose sentences it was not measured on. Sets are the `source` prefixes of the
calibration file (`bench.remark_calibration`).

Usage (from the repository root):
    python -m bench.remark_certainty [--data qa/data/remark_calibration_en.tsv] [--artifact PATH]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from qa.intent_model import load_intents, train_intents
from qa.intents import Intent
from qa.intents_calibration import CalibrationRows, calibrate_remarks, decides, read_calibration
from qa.intents_certainty import NEVER
from qa.phrases import CATEGORIES


def subset(rows: CalibrationRows, keep: Sequence[bool]) -> CalibrationRows:
    """The rows where `keep` is true (same sha256: a view of one file)."""
    return CalibrationRows(
        [v for v, k in zip(rows.texts, keep, strict=True) if k],
        [v for v, k in zip(rows.categories, keep, strict=True) if k],
        [v for v, k in zip(rows.confs, keep, strict=True) if k],
        [v for v, k in zip(rows.sources, keep, strict=True) if k],
        rows.sha256,
    )


def certain_hits(rows: CalibrationRows, intents: Sequence[Intent], point: float) -> tuple[int, int]:
    """(right, all) remark hits at or above `point` that nothing else makes uncertain, every sentence
    counted (as a reviewer would meet them)."""
    right = total = 0
    for text, said, conf, intent in zip(rows.texts, rows.categories, rows.confs, intents, strict=True):
        if intent.label in CATEGORIES and intent.probability >= point and decides(text, conf):
            total += 1
            right += intent.label in said
    return right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="calibration file; default the packaged one")
    parser.add_argument("--artifact", type=Path, default=None, help="trained intent model; default: train")
    args = parser.parse_args()
    rows = read_calibration(args.data)
    model = load_intents(args.artifact, calibration=args.data) if args.artifact else train_intents(None)
    intents = model.classify(rows.texts)
    sets = [s.split("/")[0] for s in rows.sources]
    every = calibrate_remarks(rows, intents)
    print(f"all sets: point {_shown(every.point)} ({every.basis})")
    for name in sorted(set(sets)):
        others = [s != name for s in sets]
        mine = [not k for k in others]
        point = calibrate_remarks(subset(rows, others), _kept(intents, others))
        right, total = certain_hits(subset(rows, mine), _kept(intents, mine), point.point)
        print(
            f"without {name}: point {_shown(point.point)} ({point.basis}); "
            f"on {name}: certain remark hits right {right}/{total}"
        )


def _kept(intents: Sequence[Intent], keep: Sequence[bool]) -> list[Intent]:
    return [i for i, k in zip(intents, keep, strict=True) if k]


def _shown(point: float) -> str:
    return "never" if point >= NEVER else f"{point:.3f}"


if __name__ == "__main__":
    main()
