"""The `callqa eval` report: a readable text form and the same figures as JSON (`callqa eval --json`)."""

from __future__ import annotations

from typing import Any

from callqa.pipeline.evaluation import BinaryStats, EvalReport, Tally


def _binary_figures(s: BinaryStats) -> dict[str, Any]:
    return {
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "fail_precision": round(s.fail_precision, 4),
        "fail_recall": round(s.fail_recall, 4),
        "accuracy": round(s.accuracy, 4),
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "tn": s.tn,
    }


def _tally(t: Tally) -> dict[str, Any]:
    return {"accuracy": round(t.accuracy, 4), "right": t.right, "n": t.total}


def forbidden_certain_recall(report: EvalReport) -> float:
    """Share of labelled forbidden remarks found by a certain verdict."""
    truths = report.binary["forbidden"].tp + report.binary["forbidden"].fn
    return report.forbidden_by_state["fail"].tp / truths if truths else 1.0


def report_figures(report: EvalReport) -> dict[str, Any]:
    """Every figure of the report as JSON-ready data (ratios 0–1, counts)."""
    forbidden = report.binary["forbidden"]
    certain, doubtful = report.forbidden_by_state["fail"], report.forbidden_by_state["uncertain"]
    return {
        "calls": report.n_calls,
        "coverage": round(report.coverage, 4),
        "calls_without_uncertain": report.calls_without_uncertain,
        "checks": {
            name: {
                **_binary_figures(s.lean),
                "lean_accuracy": round(s.lean.accuracy, 4),
                "certain": _tally(s.certain),
                "uncertain": s.uncertain,
                "uncertain_share": round(s.uncertain_share, 4),
            }
            for name, s in report.checks.items()
        },
        "certain_check_accuracy": _tally(report.certain_check_accuracy),
        "forbidden": {
            **_binary_figures(forbidden),
            "certain_precision": round(certain.precision, 4),
            "certain_found": certain.tp + certain.fp,
            "uncertain_precision": round(doubtful.precision, 4),
            "uncertain_found": doubtful.tp + doubtful.fp,
            "certain_recall": round(forbidden_certain_recall(report), 4),
            "recall_certain_and_uncertain": round(forbidden.recall, 4),
        },
        "empathy": _binary_figures(report.binary["empathy"]),
        "dead_air": _binary_figures(report.binary["dead_air"]),
        "end_sentiment": _tally(report.sentiment),
        "wer": {leg: None if v is None else round(v, 4) for leg, v in report.wer.items()},
        "wer_by_voice": {k: None if v is None else round(v, 4) for k, v in report.wer_by_voice.items()},
        "names_inserted": report.names_inserted,
        "reliability": {
            name: {bucket: _tally(t) for bucket, t in buckets.items()}
            for name, buckets in report.reliability.items()
        },
        "misses": {
            **{name: s.lean.misses for name, s in report.checks.items()},
            **{name: s.misses for name, s in report.binary.items()},
            "sentiment": report.sentiment_misses,
        },
    }


def format_report(report: EvalReport) -> str:
    """The report as aligned text: P/R/F1 table, certainty figures, reliability table, misses."""
    n = report.n_calls
    lines = [
        f"calls evaluated: {n}",
        f"coverage (calls with no UNCERTAIN verdict): {report.coverage:.3f} "
        f"({report.calls_without_uncertain}/{n})",
        "",
        f"{'verdict':<10} {'P':>6} {'R':>6} {'F1':>6}   {'fail-P':>6} {'fail-R':>6}   tp fp fn tn",
    ]
    rows = {**{name: s.lean for name, s in report.checks.items()}, **report.binary}
    for name, s in rows.items():
        lines.append(
            f"{name:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}   {s.fail_precision:6.3f} "
            f"{s.fail_recall:6.3f}   {s.tp} {s.fp} {s.fn} {s.tn}"
        )
    lines += ["", f"{'check':<10} {'certain accuracy':<22} {'UNCERTAIN share':<18} accuracy by lean"]
    for name, c in report.checks.items():
        lines.append(
            f"{name:<10} {c.certain.accuracy:.3f} ({c.certain.total:>3} certain)"
            f"  {c.uncertain_share:.3f} ({c.uncertain:>3}/{n:<3})    {c.lean.accuracy:.3f}"
        )
    pooled = report.certain_check_accuracy
    lines.append(
        f"greeting+closing certain accuracy: {pooled.accuracy:.3f} ({pooled.right}/{pooled.total}); "
        f"certain and wrong: {pooled.total - pooled.right}"
    )
    certain, doubtful = report.forbidden_by_state["fail"], report.forbidden_by_state["uncertain"]
    lines += [
        f"forbidden certain precision: {certain.precision:.3f} ({certain.tp + certain.fp} found, "
        f"{certain.fp} false); UNCERTAIN precision: {doubtful.precision:.3f} "
        f"({doubtful.tp + doubtful.fp} found)",
        f"forbidden recall certain+UNCERTAIN: {report.binary['forbidden'].recall:.3f}; "
        f"certain only: {forbidden_certain_recall(report):.3f}",
        f"empathy F1: {report.binary['empathy'].f1:.3f}   dead-air F1: {report.binary['dead_air'].f1:.3f}   "
        f"caller end-sentiment accuracy: {report.sentiment_accuracy:.3f} "
        f"({report.sentiment.right}/{report.sentiment.total})",
        "word error rate: "
        + ", ".join(f"{leg} {'n/a' if v is None else f'{v:.3f}'}" for leg, v in report.wer.items())
        + ("" if any(v is not None for v in report.wer.values()) else " (no reference turns, or no jiwer)"),
        *(
            [
                "word error rate by voice: "
                + ", ".join(f"{k} {v:.3f}" for k, v in report.wer_by_voice.items() if v is not None)
            ]
            if any(v is not None for v in report.wer_by_voice.values())
            else []
        ),
        f"calls with the agent's name or company heard more often than said (invented by the recogniser): "
        f"{len(report.names_inserted)}/{n}"
        + (f" ({', '.join(report.names_inserted)})" if report.names_inserted else ""),
        "",
        "reliability (stated confidence, or state without one -> observed accuracy (n)):",
    ]
    for name, buckets in report.reliability.items():
        cells = "  ".join(f"{bucket} {t.accuracy:.3f} ({t.total})" for bucket, t in buckets.items())
        lines.append(f"  {name:<10} {cells or '-'}")
    lines.append("misses:")
    for name, s in rows.items():
        lines.extend(f"  {name}: {m}" for m in s.misses)
    lines.extend(f"  sentiment: {m}" for m in report.sentiment_misses)
    return "\n".join(lines)
