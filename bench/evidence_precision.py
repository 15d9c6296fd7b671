"""How right the *evidence* of forbidden-remark and empathy verdicts is, on a generated call set.

`callqa eval` scores forbidden remarks per call and category: a false hit in a call that also holds a real
remark of that category counts as right, because the call's verdict is. The reviewer, though, is shown the
hit's sentence. Generated sets know which turn was which (each generator's `FORBIDDEN` and `EMPATHY` pools):
this bench marks those turns in each call's reference and counts a hit right only where it overlaps a turn
of its own kind, per verdict state, and how many of the marked turns some hit found.

Usage: python -m bench.evidence_precision SET_DIR RESULTS.jsonl --pools bench.heldout_calls_c
(RESULTS: `callqa eval … --save` output of SET_DIR; the dev set has no pools, so it cannot be read here.)
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SLACK_S = 0.5
"""Seconds a hit may lie outside its turn and still be that turn's (recognisers' word times drift)."""


def turn_kinds(turns: Sequence[Mapping[str, Any]], pools: Any) -> list[tuple[str, float, float]]:
    """(kind, start s, end s) of each reference turn said from the generator's remark or empathy pools;
    kind is the forbidden category or "empathy"."""
    kind_of = {text: category for category, texts in pools.FORBIDDEN.items() for text in texts}
    kind_of.update({text: "empathy" for text in pools.EMPATHY})
    return [
        (kind_of[t["text"]], float(t["start"]), float(t["end"]))
        for t in turns
        if t["speaker"] == "agent" and t["text"] in kind_of
    ]


def _overlaps(hit: Mapping[str, Any], start: float, end: float) -> bool:
    return float(hit["start"]) < end + SLACK_S and float(hit["end"]) > start - SLACK_S


def score_call(result: Mapping[str, Any], marked: list[tuple[str, float, float]]) -> dict[str, Counter[str]]:
    """Counts for one call: per verdict state ("fail", "uncertain") right/wrong remark hits, and the
    marked remark and empathy turns found/missed; empathy evidence right/wrong."""
    hits: Counter[str] = Counter()
    turns: Counter[str] = Counter()
    found: set[int] = set()
    for hit in result["violations"]:
        mine = [i for i, (k, s, e) in enumerate(marked) if k == hit["category"] and _overlaps(hit, s, e)]
        hits[f"{hit['state']}:{'right' if mine else 'wrong'}"] += 1
        if not hit.get("category_sure", True):  # certain that a remark was said, its kind a guess
            said = any(k != "empathy" and _overlaps(hit, s, e) for k, s, e in marked)
            hits[f"guessed:{'right' if said else 'wrong'}"] += 1
        found.update(mine)
    for ev in result.get("empathy_evidence", []):
        mine = [i for i, (k, s, e) in enumerate(marked) if k == "empathy" and _overlaps(ev, s, e)]
        hits[f"empathy:{'right' if mine else 'wrong'}"] += 1
        found.update(mine)
    for i, (kind, _, _) in enumerate(marked):
        group = "empathy" if kind == "empathy" else "remark"
        turns[f"{group}:{'found' if i in found else 'missed'}"] += 1
    return {"hits": hits, "turns": turns}


def _share(right: int, wrong: int) -> str:
    return f"{right / (right + wrong):.3f} ({right}/{right + wrong})" if right + wrong else "n/a (0)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set_dir", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--pools", required=True, help="the generator module, e.g. bench.heldout_calls_c")
    args = parser.parse_args()
    pools = importlib.import_module(args.pools)
    if not hasattr(pools, "FORBIDDEN") or not hasattr(pools, "EMPATHY"):
        parser.error(f"{args.pools} has no FORBIDDEN and EMPATHY pools: not a generator of labelled remarks")
    hits: Counter[str] = Counter()
    turns: Counter[str] = Counter()
    for line in args.results.read_text().splitlines():
        result = json.loads(line)
        reference = json.loads((args.set_dir / Path(result["file"]).with_suffix(".json").name).read_text())
        counts = score_call(result, turn_kinds(reference["turns"], pools))
        hits.update(counts["hits"])
        turns.update(counts["turns"])
    print(f"{args.results.name}: evidence precision (hit overlaps a turn of its kind, ±{SLACK_S} s)")
    for state in ("fail", "uncertain"):
        print(f"  remark {state:9s} {_share(hits[state + ':right'], hits[state + ':wrong'])}")
    guessed = _share(hits["guessed:right"], hits["guessed:wrong"])
    print(f"  remark fail with its kind guessed, over a remark of any kind {guessed}")
    all_right = hits["fail:right"] + hits["uncertain:right"]
    print(f"  remark all       {_share(all_right, hits['fail:wrong'] + hits['uncertain:wrong'])}")
    print(f"  empathy          {_share(hits['empathy:right'], hits['empathy:wrong'])}")
    print(f"  remark turns found  {_share(turns['remark:found'], turns['remark:missed'])}")
    print(f"  empathy turns found {_share(turns['empathy:found'], turns['empathy:missed'])}")


if __name__ == "__main__":
    main()
