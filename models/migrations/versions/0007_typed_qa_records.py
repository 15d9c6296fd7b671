"""typed QA records: one stored analysis per call, n-best alternatives on transcript segments

Each verdict was stored three times (flat columns that assumed checks named greeting/closing, the
qa_violations rows and the contract dict in `details`); now `qa_results.analysis` holds the
`CallAnalysis` record alone. Existing results are converted from their `details` (the `analyze --json`
view): fields that view never carried (token positions of evidence, utterance texts of sentiment) are
filled neutrally, and `callqa rescore` rebuilds them exactly from the stored transcripts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 23:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _match(view: dict[str, Any] | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "phrase": view.get("phrase", ""),
        "text": view.get("text", ""),
        "start": view.get("start", 0.0),
        "end": view.get("end", 0.0),
        "score": view.get("score", 0.0),
        "segment": 0,
        "mean_conf": view.get("conf", 1.0),
        "first_token": 0,
        "last_token": 0,
    }


def _analysis(details: dict[str, Any]) -> dict[str, Any]:
    """The `analyze --json` view of an analysis → the `CallAnalysis.to_json` form."""
    checks = {
        name: {
            "name": name,
            "passed": bool(c.get("passed")),
            "state": c.get("state", "pass" if c.get("passed") else "fail"),
            "elements": [
                {
                    "name": e.get("name", ""),
                    "found": bool(e.get("found")),
                    "evidence": _match(e.get("evidence")),
                    "note": e.get("note", ""),
                }
                for e in c.get("elements", [])
            ],
            "reason": c.get("reason", ""),
        }
        for name, c in (details.get("checks") or {}).items()
    }
    violations = [
        {
            "category": v["category"],
            "start": v["start"],
            "end": v.get("end", v["start"]),
            "text": v.get("text", ""),
            "matched_phrase": v.get("phrase", ""),
            "score": v.get("score", 100.0),
            "source": v.get("source", "phrase"),
            "conf": v.get("conf", 1.0),
            "state": v.get("state", "fail"),
            "note": v.get("note", ""),
        }
        for v in details.get("violations") or []
    ]
    sentiment = {
        speaker: {
            "start": s.get("start"),
            "end": s.get("end"),
            "trend": s.get("trend", 0),
            "utterances": [
                {"start": u["start"], "end": u["end"], "text": "", "label": u["label"]}
                for u in s.get("utterances", [])
            ],
        }
        for speaker, s in (details.get("sentiment") or {}).items()
    }
    talk = {k: v for k, v in (details.get("talk") or {}).items() if k != "agent_talk_ratio"}
    return {
        "checks": checks,
        "violations": violations,
        "empathy": [m for m in (_match(e) for e in details.get("empathy_evidence") or []) if m],
        "dead_air": [{"start": g["start"], "end": g["end"]} for g in details.get("dead_air") or []],
        "holds": [{"start": g["start"], "end": g["end"]} for g in details.get("holds") or []],
        "talk": talk or {"agent_talk_s": 0.0, "caller_talk_s": 0.0, "overlap_s": 0.0},
        "sentiment": sentiment,
        "sentiment_model": details.get("sentiment_model", ""),
        "intent_model": details.get("intent_model", ""),
        "agitation": details.get("caller_agitation"),
    }


def upgrade() -> None:
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alternatives", sa.JSON(), nullable=True))
    op.execute("UPDATE transcript_segments SET alternatives = '[]'")
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.alter_column("alternatives", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("qa_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysis", sa.JSON(), nullable=True))
    results = sa.table(
        "qa_results",
        sa.column("id", sa.Integer),
        sa.column("details", sa.JSON),
        sa.column("analysis", sa.JSON),
    )
    conn = op.get_bind()
    for row_id, details in conn.execute(sa.select(results.c.id, results.c.details)).all():
        conn.execute(results.update().where(results.c.id == row_id).values(analysis=_analysis(details or {})))
    with op.batch_alter_table("qa_results", schema=None) as batch_op:
        batch_op.alter_column("analysis", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("details")
        batch_op.drop_column("caller_sentiment_end")
        batch_op.drop_column("empathy")
        batch_op.drop_column("closing_passed")
        batch_op.drop_column("greeting_passed")
    op.drop_index(op.f("ix_qa_violations_qa_result_id"), table_name="qa_violations")
    op.drop_table("qa_violations")


def downgrade() -> None:
    raise NotImplementedError("0007 merged three copies of each verdict into one; there is no way back")
