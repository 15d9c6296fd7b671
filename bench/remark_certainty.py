"""How the calls' certainty point of model-only remarks (`qa.intents_calibration`) was chosen and checked:
per set, the point chosen on every other set and how right the remark hits it makes certain are on the set
left out, as the calibration counts them (a remark of any kind; a right hit once per decoded text) and as a
reviewer meets them (every sentence; also whether the kind was right).

Sets are the `source` prefixes of the calibration file (`bench.remark_calibration`).

Usage (from the repository root):
    python -m bench.remark_certainty [--data qa/data/remark_calibration_en.tsv] [--artifact PATH]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from qa.intent_model import load_intents, train_intents
from qa.intents import Intent
from qa.intents_calibration import calibrate_remarks, decides, held_out_folds, read_calibration
from qa.intents_certainty import NEVER
from qa.phrases import CATEGORIES


def certain_hits(
    texts: Sequence[str],
    said: Sequence[frozenset[str]],
    confs: Sequence[float],
    intents: Sequence[Intent],
    point: float,
) -> tuple[int, int, int]:
    """(over a remark of its own kind, over a remark of any kind, all) remark hits at or above `point`
    that nothing else makes uncertain, every sentence counted (as a reviewer would meet them)."""
    own = anykind = total = 0
    for text, categories, conf, intent in zip(texts, said, confs, intents, strict=True):
        if intent.label in CATEGORIES and intent.probability >= point and decides(text, conf):
            total += 1
            own += intent.label in categories
            anykind += bool(categories)
    return own, anykind, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="calibration file; default the packaged one")
    parser.add_argument("--artifact", type=Path, default=None, help="trained intent model; default: train")
    args = parser.parse_args()
    rows = read_calibration(args.data)
    model = load_intents(args.artifact, calibration=args.data) if args.artifact else train_intents(None)
    intents = model.classify(rows.texts)
    every = calibrate_remarks(rows, intents)
    print(f"point {_shown(every.point)} ({every.basis})")
    sets = [s.split("/")[0] for s in rows.sources]
    for fold in held_out_folds(rows, intents):
        mine = [i for i, s in enumerate(sets) if s == fold.left_out]
        own, anykind, total = certain_hits(
            [rows.texts[i] for i in mine],
            [rows.categories[i] for i in mine],
            [rows.confs[i] for i in mine],
            [intents[i] for i in mine],
            fold.point,
        )
        print(
            f"without {fold.left_out}: point {_shown(fold.point)}; on {fold.left_out}: {fold.right} of "
            f"{fold.hits} right as counted (false alarms weigh {fold.weight:.2f}); every sentence: "
            f"{anykind} of {total} over a remark, {own} of its own kind"
        )


def _shown(point: float) -> str:
    return "never" if point >= NEVER else f"{point:.3f}"


if __name__ == "__main__":
    main()
