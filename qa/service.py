"""Persisting QA verdicts. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import QAResult, QAViolation


def store_qa_result(
    session: Session,
    *,
    call_id: int,
    verdicts: dict[str, Any],
    script_id: str,
    script_version: str,
    engine: str,
) -> QAResult:
    """Store (or replace) the verdicts of `call_id`.

    `verdicts` is the analysis in its contract form (`CallAnalysis.to_contract_dict()`): checks,
    violations, empathy, dead_air, sentiment. It is kept whole in `details` for the evidence views.
    """
    existing = session.scalar(select(QAResult).where(QAResult.call_id == call_id))
    if existing is not None:
        session.delete(existing)
        session.flush()
    caller = verdicts.get("sentiment", {}).get("caller", {})
    result = QAResult(
        call_id=call_id,
        script_id=script_id,
        script_version=script_version,
        engine=engine,
        greeting_passed=bool(verdicts["checks"]["greeting"]["passed"]),
        closing_passed=bool(verdicts["checks"]["closing"]["passed"]),
        empathy=bool(verdicts.get("empathy", False)),
        caller_sentiment_end=caller.get("end"),
        details=verdicts,
        violations=[
            QAViolation(
                category=v["category"],
                start_s=float(v["start"]),
                end_s=float(v.get("end", v["start"])),
                text=v["text"],
                score=float(v.get("score", 100.0)),
                source=v.get("source", "phrase"),
                state=v.get("state", "fail"),
            )
            for v in verdicts.get("violations", [])
        ],
    )
    session.add(result)
    session.flush()
    return result
