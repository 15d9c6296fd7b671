"""Complaint detection (qa/complaints.py) on labelled caller sentences it was never tuned on
(`bench/data/complaints_heldout.tsv`, written before the cue lists were settled and not used to change
them). Prints, per language, precision and recall of "this sentence is a complaint" with a 95 % Wilson
interval, and every sentence it gets wrong. Usage: python bench/complaints.py
"""

from __future__ import annotations

import math
from pathlib import Path

from qa.complaints import is_complaint, load_complaint_cues

HELD_OUT = Path(__file__).parent / "data" / "complaints_heldout.tsv"


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion hits/n."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def labelled(path: Path = HELD_OUT) -> list[tuple[bool, str, str]]:
    """(is a complaint, language, sentence) rows of a labelled TSV (label, language, text)."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line]
    return [(label == "complaint", language, text) for label, language, text in rows]


def main() -> None:
    rows = labelled()
    print(f"{'language':<9} {'n':>3} {'precision':>10} {'95% CI':>14} {'recall':>7} {'95% CI':>14}")
    for language in sorted({lang for _, lang, _ in rows}):
        cues = load_complaint_cues(language=language)
        said = [(truth, is_complaint(text, cues), text) for truth, lang, text in rows if lang == language]
        tp = sum(1 for t, p, _ in said if t and p)
        flagged = sum(1 for _, p, _ in said if p)
        actual = sum(1 for t, _, _ in said if t)
        lo_p, hi_p = wilson(tp, flagged)
        lo_r, hi_r = wilson(tp, actual)
        print(
            f"{language:<9} {len(said):>3} {tp / flagged if flagged else 0:>10.3f} {lo_p:>6.3f}–{hi_p:<6.3f} "
            f"{tp / actual if actual else 0:>7.3f} {lo_r:>6.3f}–{hi_r:<6.3f}"
        )
        for truth, predicted, text in said:
            if truth != predicted:
                print(f"   {'missed' if truth else 'false alarm'}: {text}")


if __name__ == "__main__":
    main()
