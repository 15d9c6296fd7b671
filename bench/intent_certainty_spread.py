"""How much the English intent model's certainty points depend on the fold shuffle (issue 11).

A certainty point (`qa.intents_certainty.certainty_points`) is the lowest probability from which a
category's held-out precision clears its Wilson lower bound. Taken from one fold shuffle, it moved with
where rows happened to fall: one seed made a category certain from 0.86, the next never. The shipped model
pools CERTAINTY_REPEATS shuffles. This fits the intent classifier once with `--shuffles` shuffles (seeds
0, 1, …) and prints, per category, the point each single shuffle gives and the pooled point of every
window of CERTAINTY_REPEATS consecutive shuffles: the pooled points should agree where the single ones
scatter.
Usage: python -m bench.intent_certainty_spread [--shuffles 10]   (about 25 fits a shuffle: ~1 min CPU each)
"""

from __future__ import annotations

import argparse

import numpy as np

from qa.embeddings import SentenceEmbedder, featurize
from qa.intent_model import read_intents
from qa.intents import IntentClassifier
from qa.intents_certainty import CALL_PREVALENCE, CERTAINTY_REPEATS, NEVER, certainty_points
from qa.phrases import CATEGORIES


def _shown(point: float) -> str:
    return "never" if point >= NEVER else f"{point:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shuffles", type=int, default=2 * CERTAINTY_REPEATS)
    args = parser.parse_args()
    data = read_intents(None)
    prevalence = dict.fromkeys(CATEGORIES, CALL_PREVALENCE)
    clf = IntentClassifier(prevalence=prevalence, repeats=args.shuffles).fit(
        featurize(data.texts, SentenceEmbedder()),
        np.asarray(data.labels),
        sample_weight=np.asarray(data.weights),
        groups=data.groups,
    )
    n = len(data.texts)

    def points(first: int, count: int) -> dict[str, float]:
        rows = slice(first * n, (first + count) * n)
        return certainty_points(
            clf.cv_truth_[rows],
            clf.cv_predicted_[rows],
            clf.cv_probability_[rows],
            prevalence=prevalence,
            repeats=count,
        )

    single = [points(r, 1) for r in range(args.shuffles)]
    pooled = [points(r, CERTAINTY_REPEATS) for r in range(args.shuffles - CERTAINTY_REPEATS + 1)]
    print(f"{n} sentences; single shuffles 0..{args.shuffles - 1}; pooled windows of {CERTAINTY_REPEATS}")
    for label in (*CATEGORIES, "empathy"):
        print(f"{label:15} single: {' '.join(_shown(p.get(label, NEVER)) for p in single)}")
        print(f"{'':15} pooled: {' '.join(_shown(p.get(label, NEVER)) for p in pooled)}")


if __name__ == "__main__":
    main()
