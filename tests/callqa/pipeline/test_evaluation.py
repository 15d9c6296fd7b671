"""`callqa eval`: verdicts against labelled calls — the counting on hand-made results, and the command on
real dev-set audio (and again from its saved output without ASR)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from callqa.cli.eval_report import format_report, report_figures
from callqa.pipeline.evaluation import confidence_bucket, evaluate_calls
from tests.conftest import DEV_SET, callqa_ok
from tests.fitted import provide_models


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


def _result(
    *,
    greeting: bool,
    violations: list[dict[str, Any]],
    end: str = "neu",
    greeting_state: str | None = None,
    closing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "checks": {
            "greeting": {"passed": greeting, "state": greeting_state or ("pass" if greeting else "fail")},
            "closing": closing or {"passed": True, "state": "uncertain"},
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
    greeting, forbidden = report.checks["greeting"].lean, report.binary["forbidden"]
    assert (greeting.tp, greeting.fp, greeting.fn, greeting.tn) == (1, 1, 0, 0)
    assert (forbidden.tp, forbidden.fp, forbidden.fn, forbidden.tn) == (1, 1, 0, 4)
    assert forbidden.misses == ["b/blame_customer: false alarm (false positive)"]
    certain, doubtful = report.forbidden_by_state["fail"], report.forbidden_by_state["uncertain"]
    assert (certain.tp, certain.fp, doubtful.tp, doubtful.fp) == (1, 0, 0, 1)
    assert [report.checks[name].uncertain for name in ("greeting", "closing")] == [0, 2]
    assert report.calls_without_uncertain == 0
    assert report.sentiment_accuracy == 0.5
    text = format_report(report)
    assert "forbidden certain precision: 1.000 (1 found, 0 false); " in text
    assert "UNCERTAIN precision: 0.000 (1 found)" in text
    assert "sentiment: b: neu (label neg)" in text


def test_certain_accuracy_uncertain_share_lean_and_coverage(tmp_path: Path) -> None:
    for name, labels in {
        "a": _labels(),
        "b": _labels(greeting=False, closing=False),
        "c": _labels(greeting=False, forbidden=["blame_shifting"]),
        "d": _labels(),
    }.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(labels))
    sure_pass = {"passed": True, "state": "pass"}
    analyses = {
        # right and certain everywhere: the only fully automatic call
        "a": _result(greeting=True, violations=[], closing=sure_pass),
        # greeting: certain and wrong; closing: UNCERTAIN leaning the wrong way
        "b": _result(greeting=True, violations=[], closing={"passed": True, "state": "uncertain"}),
        # greeting: UNCERTAIN leaning right; the remark found, but only as UNCERTAIN
        "c": _result(
            greeting=False,
            greeting_state="uncertain",
            closing=sure_pass,
            violations=[{"category": "blame_shifting", "state": "uncertain"}],
        ),
        # a certain false remark
        "d": _result(greeting=True, violations=[{"category": "rude", "state": "fail"}], closing=sure_pass),
    }
    report = evaluate_calls(tmp_path, analyses)
    greeting, closing = report.checks["greeting"], report.checks["closing"]
    assert (greeting.certain.right, greeting.certain.total, greeting.uncertain) == (2, 3, 1)
    assert greeting.uncertain_share == 0.25
    assert greeting.lean.accuracy == 0.75  # c counts by its (right) lean, b is wrong
    assert (closing.certain.right, closing.certain.total, closing.lean.accuracy) == (3, 3, 0.75)
    assert (report.certain_check_accuracy.right, report.certain_check_accuracy.total) == (5, 6)
    assert report.coverage == 0.5  # a and d state nothing as UNCERTAIN
    figures = report_figures(report)
    assert figures["forbidden"]["certain_precision"] == 0.0  # d's remark was false
    assert figures["forbidden"]["recall_certain_and_uncertain"] == 1.0
    assert figures["forbidden"]["certain_recall"] == 0.0
    assert figures["checks"]["greeting"]["certain"] == {"accuracy": round(2 / 3, 4), "right": 2, "n": 3}
    # without a stated confidence the reliability rows are the states
    assert figures["reliability"]["greeting"] == {
        "state:pass": {"accuracy": round(2 / 3, 4), "right": 2, "n": 3},
        "state:uncertain": {"accuracy": 1.0, "right": 1, "n": 1},
    }
    assert figures["reliability"]["forbidden"] == {
        "state:fail": {"accuracy": 0.0, "right": 0, "n": 1},
        "state:uncertain": {"accuracy": 1.0, "right": 1, "n": 1},
    }
    assert json.loads(json.dumps(figures)) == figures


def test_reliability_by_stated_confidence_and_word_error_rate_per_leg(tmp_path: Path) -> None:
    reference = {
        **_labels(forbidden=["rude"], agent_name="Priya", company="Acme Telecom"),
        "voices": {"agent": "en-029+max"},
        "turns": [
            {"speaker": "caller", "start": 2.0, "end": 3.0, "text": "My bill is wrong!"},
            {"speaker": "agent", "start": 0.0, "end": 1.0, "text": "Hello, Acme, Priya here."},
        ],
    }
    (tmp_path / "a.json").write_text(json.dumps(reference))
    result = _result(
        greeting=True,
        violations=[
            {"category": "rude", "state": "uncertain", "confidence": 0.6},
            {"category": "rude", "state": "fail", "confidence": 0.97},
            {"category": "blame_customer", "state": "fail", "confidence": 0.999},
        ],
        closing={"passed": True, "state": "pass", "confidence": 0.42},
    )
    result["transcript"] = [
        {"speaker": "agent", "start": 0.0, "end": 1.0, "text": "hello acme pria here"},
        {"speaker": "caller", "start": 2.0, "end": 3.0, "text": "my bill is wrong"},
        {"speaker": "agent", "start": 4.0, "end": 4.5, "text": "Acme."},  # invented in a silence
    ]
    report = evaluate_calls(tmp_path, {"a": result})
    rows = report_figures(report)["reliability"]
    # the category is judged by its strongest violation (certain, 0.97), not the doubtful one
    assert rows["forbidden"] == {
        "0.95-0.99": {"accuracy": 1.0, "right": 1, "n": 1},
        "0.99-1.00": {"accuracy": 0.0, "right": 0, "n": 1},
    }
    assert rows["closing"] == {"0.00-0.50": {"accuracy": 1.0, "right": 1, "n": 1}}
    assert rows["greeting"] == {"state:pass": {"accuracy": 1.0, "right": 1, "n": 1}}
    assert confidence_bucket({"confidence": 0.9}) == "0.90-0.95"
    assert confidence_bucket({"state": "fail"}) == "state:fail"
    # "pria" for "priya" and the invented "acme": 2 errors in 4 words
    assert report.wer == {"agent": 0.5, "caller": 0.0}
    assert report.wer_by_voice == {"agent:en-029+max": 0.5}  # the caller's voice is not named
    assert report.names_inserted == ["a"]
    text = format_report(report)
    assert "word error rate: agent 0.500, caller 0.000" in text
    assert "word error rate by voice: agent:en-029+max 0.500" in text
    assert "heard more often than said (invented by the recogniser): 1/1 (a)" in text


def test_eval_json_figures_from_saved_results(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_labels()))
    saved = tmp_path / "results.jsonl"
    saved.write_text(json.dumps({"file": "x/a.wav", **_result(greeting=True, violations=[])}) + "\n")
    figures = json.loads(callqa_ok("eval", str(tmp_path), "--results", str(saved), "--json").stdout)
    assert figures["calls"] == 1
    assert figures["checks"]["closing"]["uncertain_share"] == 1.0
    assert figures["wer"] == {"agent": None, "caller": None}


def _table(stdout: str) -> dict[str, tuple[int, ...]]:
    """verdict -> (tp, fp, fn, tn) from the printed report."""
    rows = re.findall(r"^(\w+)\s+[0-9. ]+?\s+(\d+) (\d+) (\d+) (\d+)$", stdout, re.MULTILINE)
    return {name: tuple(int(n) for n in counts) for name, *counts in rows}


@pytest.mark.dev_set
@pytest.mark.slow
def test_eval_command_on_real_calls_and_again_from_its_saved_output(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    for stem in ("public-11-011", "public-11-024"):  # a rude remark; blame and no greeting
        for suffix in (".wav", ".json"):
            shutil.copy(DEV_SET / "calls" / f"{stem}{suffix}", calls)
    saved = tmp_path / "results.jsonl"
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path / "data")}
    provide_models(tmp_path / "data")

    def run(*args: str) -> str:
        return callqa_ok("eval", str(calls), *args, env=env, timeout=900).stdout

    fresh = run("--save", str(saved))
    assert "calls evaluated: 2" in fresh
    assert len(saved.read_text().splitlines()) == 2
    table = _table(fresh)
    assert table["greeting"] == (1, 0, 0, 1)
    assert table["forbidden"] == (2, 0, 0, 4)
    # Re-running QA on the saved transcripts (no ASR) gives the same verdicts, also with the second model's
    # decodes kept on disk and read back.
    assert _table(run("--results", str(saved), "--requalify")) == table
    cache = ["--results", str(saved), "--requalify", "--second-opinion-cache", str(tmp_path / "decodes")]
    assert _table(run(*cache)) == table
    assert any((tmp_path / "decodes").glob("*.json"))
    assert _table(run(*cache)) == table
