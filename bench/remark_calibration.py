"""The intent model's calibration sentences: agent sentences as the product decodes them in generated calls,
labelled with the forbidden categories of the reference turns under them (qa/data/remark_calibration_en.tsv,
read by `qa.intents_calibration`).

A generated call knows which reference turn was a remark (its generator's FORBIDDEN pools). Each agent
sentence of the call's saved first decode (cut as QA cuts it, `qa.intents.agent_sentences`) is labelled with
the categories of the remark turns it overlaps within `bench.evidence_precision.SLACK_S` (the rule that
scores a hit's evidence right), or `none`. A sentence over a reference turn that is (or holds) a sentence of
the intent model's training data is left out: the calibration measures the model on wording it never saw.

Usage (from the repository root; NAME:SET_DIR:FIRST.jsonl:POOLS_MODULE per set, first decodes made with
`CALLQA_SECOND_OPINION=false callqa eval SET_DIR --save FIRST.jsonl --json`):
    python -m bench.remark_calibration --out qa/data/remark_calibration_en.tsv \\
        a:data/heldout-a:eval/a.jsonl:bench.heldout_calls ...
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from bench.evidence_precision import SLACK_S
from qa.intent_model import ASR_DATA, DEFAULT_DATA
from qa.intents import NONE, agent_sentences, normalized
from qa.labelled import read_tsv
from transcription.recognizer import Transcript

NEAR_TRAINING = 80.0
"""fuzz.ratio (0–100) of a reference turn's words to a training sentence from which the turn counts as
trained on (set A's "If you'd paid on time …" is 96 from a training sentence, its "Look, just do what I
told you." 82); a training sentence of INSIDE_WORDS words or more inside the turn counts too."""
INSIDE_WORDS = 3
HEADER = ("label", "text", "conf", "source")


class Row(NamedTuple):
    """One calibration sentence: its label (`none`, or the forbidden categories under it, comma-joined),
    the decoded text, its mean word confidence (0–1) and where it came from (set/call@start s)."""

    label: str
    text: str
    conf: float
    source: str


def training_sentences() -> list[str]:
    """The intent model's training sentences (written and ASR readings), normalized."""
    return [
        normalized(row[1])
        for packaged in (DEFAULT_DATA, ASR_DATA)
        for _, row in read_tsv(None, packaged)[0]
        if len(row) == 2
    ]


def trained_on(text: str, training: Sequence[str]) -> bool:
    """Whether a reference turn is (close to) a training sentence or holds one (see NEAR_TRAINING)."""
    plain = normalized(text)
    near = process.extractOne(plain, training, scorer=fuzz.ratio, score_cutoff=NEAR_TRAINING)
    return near is not None or any(
        f" {t} " in f" {plain} " for t in training if len(t.split()) >= INSIDE_WORDS
    )


def label_sentences(
    transcript: Transcript,
    turns: Iterable[Mapping[str, Any]],
    forbidden: Mapping[str, Sequence[str]],
    training: Sequence[str],
    *,
    where: str,
) -> list[Row]:
    """The agent sentences of `transcript` (a first decode) with their labels from the reference `turns`
    (whose texts from `forbidden`'s pools are remarks of that category), leaving out sentences over a turn
    the model was trained on. `where` names the call in each row's source."""
    kind_of = {text: category for category, texts in forbidden.items() for text in texts}
    agent = [t for t in turns if t["speaker"] == "agent"]
    rows = []
    for sentence in agent_sentences(transcript):
        under = [
            t
            for t in agent
            if sentence.start < float(t["end"]) + SLACK_S and sentence.end > float(t["start"]) - SLACK_S
        ]
        if any(trained_on(t["text"], training) for t in under):
            continue
        categories = sorted({kind_of[t["text"]] for t in under if t["text"] in kind_of})
        rows.append(
            Row(
                ",".join(categories) or NONE,
                sentence.text,
                round(sentence.conf, 3),
                f"{where}@{sentence.start:.2f}",
            )
        )
    return rows


def set_rows(name: str, set_dir: Path, first: Path, pools: Any, training: Sequence[str]) -> list[Row]:
    """The calibration rows of one decoded set (`first`: its `callqa eval --save` file)."""
    rows = []
    for line in first.read_text(encoding="utf-8").splitlines():
        decoded = json.loads(line)
        stem = Path(decoded["file"]).stem
        reference = json.loads((set_dir / f"{stem}.json").read_text(encoding="utf-8"))
        transcript = Transcript.from_json(
            {"segments": decoded["transcript"], "duration_s": decoded["duration_s"]}
        )
        rows.extend(
            label_sentences(transcript, reference["turns"], pools.FORBIDDEN, training, where=f"{name}/{stem}")
        )
    return rows


def to_tsv(rows: Iterable[Row]) -> str:
    """The rows as the packaged calibration file (header first)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", nargs="+", help="NAME:SET_DIR:FIRST.jsonl:POOLS_MODULE")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    training = training_sentences()
    rows: list[Row] = []
    for spec in args.sets:
        name, set_dir, first, module = spec.split(":")
        rows.extend(set_rows(name, Path(set_dir), Path(first), importlib.import_module(module), training))
    args.out.write_text(to_tsv(rows), encoding="utf-8")
    remarks = sum(r.label != NONE for r in rows)
    print(f"wrote {args.out}: {len(rows)} sentences, {remarks} over a remark")


if __name__ == "__main__":
    main()
