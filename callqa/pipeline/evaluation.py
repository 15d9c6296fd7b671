"""Measuring verdicts against labelled calls (the dev-set format): how often the product is right, how often
it says it is sure, and whether it is right when it says so.

Binary verdicts are scored with the label `True` as the positive class (greeting/closing compliant,
category present, empathy present, dead air present); the failing class is reported too, because a
false "failed greeting" is what costs an agent. Every check and violation may carry a `state`
("pass" | "fail" | "uncertain") and a numeric `confidence` (0–1); certain verdicts (state pass/fail) are
counted apart from UNCERTAIN ones, and a reliability table relates the stated confidence (or, without a
number, the state) to the observed accuracy. Formatting lives in `callqa.cli.eval_report`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.text import canonical

FORBIDDEN_CATEGORIES = ("blame_customer", "blame_shifting", "rude")
CHECKS = ("greeting", "closing")
OPTIONAL_CHECKS = {"three_musts": "musts"}
"""Checks measured where a call's labels have them: check name -> label (the Chinese three musts)."""
CONFIDENCE_BUCKETS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
"""Upper edges (exclusive) of the stated-confidence buckets of the reliability table; the last bucket is
[0.99, 1.0]. Fine near 1 because that is where a certain verdict has to live."""


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


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

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fail_precision(self) -> float:
        """Precision of the negative class (e.g. of 'greeting failed' verdicts)."""
        return _ratio(self.tn, self.tn + self.fn)

    @property
    def fail_recall(self) -> float:
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.tp + self.fp + self.fn + self.tn)


@dataclass
class Tally:
    """Right verdicts out of a count (accuracy 1.0 when there were none)."""

    right: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        self.right += right
        self.total += 1

    @property
    def accuracy(self) -> float:
        return _ratio(self.right, self.total)


@dataclass
class CheckStats:
    """One check (greeting or closing) over all calls: `lean` counts every verdict by its `passed`,
    `certain` only those stated pass/fail; `uncertain` is how many were UNCERTAIN."""

    lean: BinaryStats = field(default_factory=BinaryStats)
    certain: Tally = field(default_factory=Tally)
    uncertain: int = 0

    @property
    def uncertain_share(self) -> float:
        total = self.lean.tp + self.lean.fp + self.lean.fn + self.lean.tn
        return self.uncertain / total if total else 0.0


@dataclass
class EvalReport:
    n_calls: int
    checks: dict[str, CheckStats]
    binary: dict[str, BinaryStats]
    """forbidden (per call and category, certain + uncertain), empathy, dead_air."""
    forbidden_by_state: dict[str, BinaryStats]
    """Found forbidden categories split by the verdict's state ("fail": certain, "uncertain": sent to a
    person): how well the state separates safe verdicts from doubtful ones."""
    sentiment: Tally
    sentiment_misses: list[str]
    calls_without_uncertain: int
    reliability: dict[str, dict[str, Tally]]
    """verdict type -> stated confidence bucket (or state) -> observed accuracy."""
    wer: dict[str, float | None] = field(default_factory=dict)
    """Word error rate per leg ("agent", "caller") over all calls with a reference; None without any."""
    wer_by_voice: dict[str, float | None] = field(default_factory=dict)
    """Word error rate per "leg:voice" where the reference names its voices."""
    names_inserted: list[str] = field(default_factory=list)
    """Calls whose transcript has the agent's name or the company's first word more often than the
    reference turns: words the recogniser invented (its name hints bleed into silence or garble)."""

    @property
    def coverage(self) -> float:
        """Share of calls with no UNCERTAIN verdict at all (fully automatic)."""
        return self.calls_without_uncertain / self.n_calls if self.n_calls else 0.0

    @property
    def certain_check_accuracy(self) -> Tally:
        """Greeting and closing verdicts stated as certain, pooled."""
        pooled = Tally()
        for stats in self.checks.values():
            pooled.right += stats.certain.right
            pooled.total += stats.certain.total
        return pooled

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment.accuracy if self.sentiment.total else 0.0


def confidence_bucket(verdict: dict[str, Any]) -> str:
    """The reliability-table row of a check or violation: its stated `confidence` bucket ("0.90-0.95"),
    or its `state` when it states no number ("fail" for a violation without either)."""
    confidence = verdict.get("confidence")
    if confidence is None:
        return f"state:{verdict.get('state', 'fail')}"
    low = 0.0
    for edge in CONFIDENCE_BUCKETS:
        if float(confidence) < edge:
            return f"{low:.2f}-{edge:.2f}"
        low = edge
    return f"{low:.2f}-1.00"


def _is_uncertain(verdict: dict[str, Any]) -> bool:
    return verdict.get("state") == "uncertain"


def _found_categories(violations: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """category -> its strongest violation: a category is certain when any of its violations is, and
    states the highest confidence among them."""

    def strength(v: dict[str, Any]) -> tuple[bool, float]:
        return (not _is_uncertain(v), float(v.get("confidence", 0.0)))

    found: dict[str, dict[str, Any]] = {}
    for v in violations:
        best = found.get(v["category"])
        if best is None or strength(v) > strength(best):
            found[v["category"]] = v
    return found


def evaluate_calls(directory: Path, analyses: dict[str, dict[str, Any]]) -> EvalReport:
    """Compare contract-form analyses (keyed by file stem) with the `<id>.json` labels in `directory`.
    Analyses without a label file or without checks (errors) are skipped."""
    checks = {name: CheckStats() for name in CHECKS}
    binary = {name: BinaryStats() for name in ("forbidden", "empathy", "dead_air")}
    by_state = {"fail": BinaryStats(), "uncertain": BinaryStats()}
    reliability: dict[str, dict[str, Tally]] = {name: {} for name in (*CHECKS, "forbidden")}
    sentiment, sentiment_misses = Tally(), []
    n_calls = calls_without_uncertain = 0
    wer_pairs: dict[str, tuple[list[str], list[str]]] = {"agent": ([], []), "caller": ([], [])}
    voice_pairs: dict[str, tuple[list[str], list[str]]] = {}
    names_inserted: list[str] = []
    for call_id, result in sorted(analyses.items()):
        label_file = directory / f"{call_id}.json"
        if not label_file.is_file() or "checks" not in result:
            continue
        reference = json.loads(label_file.read_text())
        labels = reference["labels"]
        n_calls += 1
        measured = {name: name for name in CHECKS} | {
            name: label
            for name, label in OPTIONAL_CHECKS.items()
            if label in labels and name in result["checks"]
        }
        for name, label in measured.items():
            verdict, truth = result["checks"][name], bool(labels[label])
            stats, right = checks.setdefault(name, CheckStats()), bool(verdict["passed"]) == truth
            stats.lean.add(call_id, truth, bool(verdict["passed"]))
            if _is_uncertain(verdict):
                stats.uncertain += 1
            else:
                stats.certain.add(right)
            reliability.setdefault(name, {}).setdefault(confidence_bucket(verdict), Tally()).add(right)
        found = _found_categories(result["violations"])
        for category in FORBIDDEN_CATEGORIES:
            key, truth = f"{call_id}/{category}", category in labels["forbidden"]
            binary["forbidden"].add(key, truth, category in found)
            if category in found:
                strongest = found[category]
                by_state["uncertain" if _is_uncertain(strongest) else "fail"].add(key, truth, True)
                reliability["forbidden"].setdefault(confidence_bucket(strongest), Tally()).add(truth)
        stated = [*result["checks"].values(), *result["violations"]]
        calls_without_uncertain += not any(_is_uncertain(v) for v in stated)
        binary["empathy"].add(call_id, bool(labels["empathy"]), bool(result["empathy"]))
        binary["dead_air"].add(call_id, bool(labels["dead_air"]), bool(result["dead_air"]))
        predicted = result["sentiment"]["caller"]["end"]
        sentiment.add(predicted == labels["caller_sentiment_end"])
        if predicted != labels["caller_sentiment_end"]:
            sentiment_misses.append(f"{call_id}: {predicted} (label {labels['caller_sentiment_end']})")
        chinese = reference.get("language") == "zh"
        for leg, (refs, hyps) in wer_pairs.items():
            ref = _leg_text(reference.get("turns", []), leg, chinese)
            if any(c.isalnum() for c in ref):
                hyp = _leg_text(result.get("transcript", []), leg, chinese)
                refs.append(ref)
                hyps.append(hyp)
                voice = _voice(reference, leg)
                if voice:
                    voice_refs, voice_hyps = voice_pairs.setdefault(f"{leg}:{voice}", ([], []))
                    voice_refs.append(ref)
                    voice_hyps.append(hyp)
        if "turns" in reference and _names_inserted(reference, result.get("transcript", []), labels):
            names_inserted.append(call_id)
    return EvalReport(
        n_calls=n_calls,
        checks=checks,
        binary=binary,
        forbidden_by_state=by_state,
        sentiment=sentiment,
        sentiment_misses=sentiment_misses,
        calls_without_uncertain=calls_without_uncertain,
        reliability={name: dict(sorted(rows.items())) for name, rows in reliability.items()},
        wer={leg: word_error_rate(refs, hyps) for leg, (refs, hyps) in wer_pairs.items()},
        wer_by_voice={key: word_error_rate(*pairs) for key, pairs in sorted(voice_pairs.items())},
        names_inserted=names_inserted,
    )


def _voice(reference: dict[str, Any], leg: str) -> str | None:
    """The voice a generated call names for `leg` (bench generators: `voices`; dev set: `render`)."""
    named = reference.get("voices", {}).get(leg) or reference.get("render", {}).get(f"{leg}_voice")
    return str(named) if named else None


def _names_inserted(
    reference: dict[str, Any], transcript: list[dict[str, Any]], labels: dict[str, Any]
) -> bool:
    names = [str(labels.get("agent_name") or ""), str(labels.get("company") or "").split(" ")[0]]

    def count(turns: list[dict[str, Any]], name: str) -> int:
        text = " ".join(t["text"] for t in turns).lower()
        return len(re.findall(rf"\b{re.escape(name.lower())}\b", text))

    return any(name and count(transcript, name) > count(reference["turns"], name) for name in names)


def _leg_text(turns: list[dict[str, Any]], speaker: str, chinese: bool = False) -> str:
    """One leg's text in time order; for Chinese in canonical spelling (simplified, digits) with a space
    after every character, so the word error rate is the character error rate and the recogniser's
    choice of traditional characters is no error."""
    text = " ".join(t["text"] for t in sorted(turns, key=lambda t: t["start"]) if t["speaker"] == speaker)
    return re.sub(r"([\u3400-\u9fff])", r" \1 ", canonical(text)) if chinese else text


def word_error_rate(references: list[str], hypotheses: list[str]) -> float | None:
    """Corpus word error rate (jiwer: substitutions + deletions + insertions over reference words) after
    the same normalisation of both sides (lower case, contractions expanded, no punctuation); None without
    references or without jiwer (a measurement-only dependency in the dev extra, so a production install
    still evaluates verdicts)."""
    try:
        import jiwer
    except ImportError:
        return None
    if not references:
        return None
    normalise = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.ExpandCommonEnglishContractions(),
            jiwer.RemovePunctuation(),  # type: ignore[no-untyped-call]
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    return float(
        jiwer.wer(references, hypotheses, reference_transform=normalise, hypothesis_transform=normalise)
    )
