"""Measuring verdicts against labelled calls (the dev-set format): precision, recall, F1 and the misses.

Binary verdicts are scored with the label `True` as the positive class (greeting/closing compliant,
category present, empathy present, dead air present); the failing class is reported too, because a
false "failed greeting" is what costs an agent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORBIDDEN_CATEGORIES = ("blame_customer", "blame_shifting", "rude")


@dataclass
class BinaryStats:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, call_id: str, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
            self.misses.append(f"{call_id}: missed (false negative)")
        elif predicted:
            self.fp += 1
            self.misses.append(f"{call_id}: false alarm (false positive)")
        else:
            self.tn += 1

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fail_precision(self) -> float:
        """Precision of the negative class (e.g. of 'greeting failed' verdicts)."""
        return self._ratio(self.tn, self.tn + self.fn)

    @property
    def fail_recall(self) -> float:
        return self._ratio(self.tn, self.tn + self.fp)


@dataclass
class EvalReport:
    n_calls: int
    binary: dict[str, BinaryStats]
    sentiment_correct: int
    sentiment_total: int
    sentiment_misses: list[str]
    uncertain: dict[str, int] = field(default_factory=dict)
    forbidden_by_state: dict[str, BinaryStats] = field(default_factory=dict)
    """Found forbidden categories split by the verdict's state ("fail": certain, "uncertain": sent to a
    person): how well the state separates safe verdicts from doubtful ones."""

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_correct / self.sentiment_total if self.sentiment_total else 0.0


def evaluate_calls(directory: Path, analyses: dict[str, dict[str, Any]]) -> EvalReport:
    """Compare contract-form analyses (keyed by file stem) with the `<id>.json` labels in `directory`."""
    stats = {name: BinaryStats() for name in ("greeting", "closing", "forbidden", "empathy", "dead_air")}
    sent_ok = sent_total = 0
    sent_misses: list[str] = []
    uncertain = {"greeting": 0, "closing": 0, "forbidden": 0}
    by_state = {"fail": BinaryStats(), "uncertain": BinaryStats()}
    for call_id, result in sorted(analyses.items()):
        label_file = directory / f"{call_id}.json"
        if not label_file.is_file() or "checks" not in result:
            continue
        labels = json.loads(label_file.read_text())["labels"]
        for name in ("greeting", "closing"):
            uncertain[name] += result["checks"][name].get("state") == "uncertain"
        uncertain["forbidden"] += any(v.get("state") == "uncertain" for v in result["violations"])
        stats["greeting"].add(call_id, bool(labels["greeting"]), bool(result["checks"]["greeting"]["passed"]))
        stats["closing"].add(call_id, bool(labels["closing"]), bool(result["checks"]["closing"]["passed"]))
        found: dict[str, str] = {}
        for v in result["violations"]:
            # A category is certain when any of its violations is.
            if found.get(v["category"]) != "fail":
                found[v["category"]] = v.get("state", "fail")
        for category in FORBIDDEN_CATEGORIES:
            key, truth = f"{call_id}/{category}", category in labels["forbidden"]
            stats["forbidden"].add(key, truth, category in found)
            if category in found:
                by_state[found[category]].add(key, truth, True)
        stats["empathy"].add(call_id, bool(labels["empathy"]), bool(result["empathy"]))
        stats["dead_air"].add(call_id, bool(labels["dead_air"]), bool(result["dead_air"]))
        predicted = result["sentiment"]["caller"]["end"]
        sent_total += 1
        if predicted == labels["caller_sentiment_end"]:
            sent_ok += 1
        else:
            sent_misses.append(f"{call_id}: {predicted} (label {labels['caller_sentiment_end']})")
    return EvalReport(len(analyses), stats, sent_ok, sent_total, sent_misses, uncertain, by_state)


def format_report(report: EvalReport) -> str:
    lines = [
        f"calls evaluated: {report.n_calls}",
        f"{'verdict':<10} {'P':>6} {'R':>6} {'F1':>6}   {'fail-P':>6} {'fail-R':>6}   tp fp fn tn",
    ]
    for name, s in report.binary.items():
        lines.append(
            f"{name:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}   {s.fail_precision:6.3f} "
            f"{s.fail_recall:6.3f}   {s.tp} {s.fp} {s.fn} {s.tn}"
        )
    lines.append(
        f"caller end-sentiment accuracy: {report.sentiment_accuracy:.3f} "
        f"({report.sentiment_correct}/{report.sentiment_total})"
    )
    lines.append(
        "UNCERTAIN verdicts (sent to review): "
        + ", ".join(f"{k} {v}/{report.n_calls}" for k, v in report.uncertain.items())
    )
    if report.forbidden_by_state:
        lines.append(
            "forbidden precision by state: "
            + ", ".join(
                f"{state} {s.precision:.3f} ({s.tp + s.fp} found)"
                for state, s in report.forbidden_by_state.items()
            )
        )
    lines.append("misses:")
    for name, s in report.binary.items():
        lines.extend(f"  {name}: {m}" for m in s.misses)
    lines.extend(f"  sentiment: {m}" for m in report.sentiment_misses)
    return "\n".join(lines)
