"""`callqa eval`: verdicts against labelled calls — the counting on hand-made results, and the command on
real dev-set audio (and again from its saved output without ASR)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from callqa.evaluation import evaluate_calls, format_report
from tests.conftest import DEV_SET, callqa_ok


def _labels(**overrides: Any) -> dict[str, Any]:
    labels = {
        "greeting": True,
        "closing": True,
        "forbidden": [],
        "empathy": False,
        "dead_air": False,
        "caller_sentiment_end": "neu",
    }
    return {"labels": {**labels, **overrides}}


def _result(*, greeting: bool, violations: list[dict[str, str]], end: str = "neu") -> dict[str, Any]:
    return {
        "checks": {
            "greeting": {"passed": greeting, "state": "pass" if greeting else "fail"},
            "closing": {"passed": True, "state": "uncertain"},
        },
        "violations": violations,
        "empathy": False,
        "dead_air": [],
        "sentiment": {"caller": {"end": end}},
    }


def test_counts_misses_and_forbidden_precision_by_state(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_labels(forbidden=["rude"])))
    (tmp_path / "b.json").write_text(json.dumps(_labels(greeting=False, caller_sentiment_end="neg")))
    analyses = {
        # "rude" found twice, once for sure: the category counts as certain.
        "a": _result(
            greeting=True,
            violations=[{"category": "rude", "state": "uncertain"}, {"category": "rude", "state": "fail"}],
        ),
        # A doubtful false alarm and a passed greeting that the label says failed.
        "b": _result(greeting=True, violations=[{"category": "blame_customer", "state": "uncertain"}]),
    }
    report = evaluate_calls(tmp_path, analyses)
    greeting, forbidden = report.binary["greeting"], report.binary["forbidden"]
    assert (greeting.tp, greeting.fp, greeting.fn, greeting.tn) == (1, 1, 0, 0)
    assert (forbidden.tp, forbidden.fp, forbidden.fn, forbidden.tn) == (1, 1, 0, 4)
    assert forbidden.misses == ["b/blame_customer: false alarm (false positive)"]
    certain, doubtful = report.forbidden_by_state["fail"], report.forbidden_by_state["uncertain"]
    assert (certain.tp, certain.fp, doubtful.tp, doubtful.fp) == (1, 0, 0, 1)
    assert report.uncertain == {"greeting": 0, "closing": 2, "forbidden": 2}  # calls with any
    assert report.sentiment_accuracy == 0.5
    text = format_report(report)
    assert "forbidden precision by state: fail 1.000 (1 found), uncertain 0.000 (1 found)" in text
    assert "sentiment: b: neu (label neg)" in text


def _table(stdout: str) -> dict[str, tuple[int, ...]]:
    """verdict -> (tp, fp, fn, tn) from the printed report."""
    rows = re.findall(r"^(\w+)\s+[0-9. ]+?\s+(\d+) (\d+) (\d+) (\d+)$", stdout, re.MULTILINE)
    return {name: tuple(int(n) for n in counts) for name, *counts in rows}


@pytest.mark.slow
def test_eval_command_on_real_calls_and_again_from_its_saved_output(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    for stem in ("public-11-011", "public-11-024"):  # a rude remark; blame and no greeting
        for suffix in (".wav", ".json"):
            shutil.copy(DEV_SET / "calls" / f"{stem}{suffix}", calls)
    saved = tmp_path / "results.jsonl"

    def run(*args: str) -> str:
        return callqa_ok("eval", str(calls), *args, timeout=900).stdout

    fresh = run("--save", str(saved))
    assert "calls evaluated: 2" in fresh
    assert len(saved.read_text().splitlines()) == 2
    table = _table(fresh)
    assert table["greeting"] == (1, 0, 0, 1)
    assert table["forbidden"] == (2, 0, 0, 4)
    # Re-running QA on the saved transcripts (no ASR) gives the same verdicts.
    assert _table(run("--results", str(saved), "--requalify")) == table
