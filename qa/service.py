"""Persisting QA verdicts. Functions flush; the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import QAResult
from qa.analysis import CallAnalysis


def store_qa_result(
    session: Session,
    call_id: int,
    analysis: CallAnalysis,
    *,
    script_id: str,
    script_version: str,
    engine: str,
) -> QAResult:
    """Store (or replace) the analysis of `call_id`, judged by script `script_id`/`script_version` on a
    transcript from `engine`. The record is stored once, whole, in its `to_json` form."""
    row = session.scalar(select(QAResult).where(QAResult.call_id == call_id))
    if row is None:
        row = QAResult(call_id=call_id)
        session.add(row)
    row.script_id, row.script_version, row.engine = script_id, script_version, engine
    row.analysis = analysis.to_json()
    session.flush()
    return row


def read_analysis(row: QAResult) -> CallAnalysis:
    """The typed record of a stored QA result."""
    return CallAnalysis.from_json(row.analysis)


def load_analysis(session: Session, call_id: int) -> CallAnalysis | None:
    """The stored analysis of `call_id`, or None before QA ran."""
    row = session.scalar(select(QAResult).where(QAResult.call_id == call_id))
    return None if row is None else read_analysis(row)
