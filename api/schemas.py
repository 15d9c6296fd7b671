"""Pydantic models of what the JSON API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from models import QAResult, Review
from qa.service import read_analysis
from scoring.effective import EffectiveScore

DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # INTEGER ids (see api.deps.MAX_ID)
"""A row id as a client may send it: positive and within a 64-bit integer column."""


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


class UserRead(ORMModel):
    id: int
    username: str
    role: str
    agent_id: int | None


LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", examples=["en", "zh"])]
"""A language code as callers and agents carry it (ISO 639, optionally with a region: "zh-CN")."""


class AgentRead(ORMModel):
    id: int
    name: str
    employee_no: str | None
    active: bool
    languages: list[str]
    extension: str | None
    tier: int


class RecordingRead(ORMModel):
    original_filename: str | None
    format: str
    sample_rate: int
    channels: int
    duration_s: float
    size_bytes: int
    sha256: str


class RoutingFactsRead(ORMModel):
    """A recorded call's routing: queue wait (s), skills asked, language, agent and tier, relaxation
    level and the routing decision's reason."""

    hotline_call_id: int
    pbx_call_id: str | None
    state: str
    queue_wait_s: float | None
    skills: dict[str, int]
    language: str
    agent_id: int | None
    tier: int | None
    relax_level: int
    reason: str | None


class CallRead(ORMModel):
    id: int
    agent_id: int | None
    caller_number: str | None
    language: str
    status: str
    error: str | None
    started_at: datetime
    recording: RecordingRead | None
    total_score: float | None = None
    pbx_call_id: str | None = None
    direction: str | None = None
    hotline_call_id: int | None = None
    routing: RoutingFactsRead | None = Field(
        default=None, description="How the call was routed (when its recording is linked to a hotline call)."
    )


class WordRead(BaseModel):
    text: str
    start: float
    end: float
    conf: float = 1.0


class SegmentRead(ORMModel):
    speaker: str
    start_s: float
    end_s: float
    text: str
    confidence: float
    words: list[WordRead]
    alternatives: list[str]


class OriginalSegmentRead(BaseModel):
    """One segment of an unredacted original transcript (`Transcript.to_json` form)."""

    speaker: str
    start: float
    end: float
    text: str
    words: list[WordRead]


class ViolationRead(BaseModel):
    category: str
    start_s: float
    end_s: float
    text: str
    score: float
    source: str
    state: str
    category_sure: bool = True
    """False: certain that a forbidden remark was said, `category` is the model's likeliest."""


class CheckRead(BaseModel):
    passed: bool
    state: str


class QAResultRead(BaseModel):
    """A call's stored QA record: a summary (checks by the script's own names, violations, empathy,
    caller's closing sentiment) and the whole `analysis` record as stored (`CallAnalysis.to_json`)."""

    script_id: str
    script_version: str
    engine: str
    checks: dict[str, CheckRead]
    empathy: bool
    caller_sentiment_end: str | None
    violations: list[ViolationRead]
    analysis: dict[str, Any]

    @classmethod
    def of(cls, row: QAResult) -> QAResultRead:
        analysis = read_analysis(row)
        caller = analysis.sentiment.get("caller")
        return cls(
            script_id=row.script_id,
            script_version=row.script_version,
            engine=row.engine,
            checks={n: CheckRead(passed=c.passed, state=c.state) for n, c in analysis.checks.items()},
            empathy=analysis.has_empathy,
            caller_sentiment_end=caller.end if caller is not None else None,
            violations=[
                ViolationRead(
                    category=v.category,
                    start_s=v.start,
                    end_s=v.end,
                    text=v.text,
                    score=v.score,
                    source=v.source,
                    state=v.state,
                    category_sure=v.category_sure,
                )
                for v in analysis.violations
            ],
            analysis=row.analysis,
        )


class ScoreRead(BaseModel):
    """A call's score: `total` (0–100) as it counts (the reviewer's once `reviewed`, the same figure the
    pages and aggregates show), the machine's `machine_total` and its per-item outcome."""

    call_id: int
    total: float
    machine_total: float
    reviewed: bool
    scorecard_id: str
    scorecard_version: str
    items: list[dict[str, Any]]
    created_at: datetime

    @classmethod
    def of(cls, effective: EffectiveScore) -> ScoreRead:
        score = effective.score
        return cls(
            call_id=effective.call_id,
            total=effective.total,
            machine_total=score.total,
            reviewed=effective.reviewed,
            scorecard_id=score.scorecard_id,
            scorecard_version=score.scorecard_version,
            items=score.to_json()["items"],
            created_at=effective.scored_at,
        )


class AgentScoresRead(BaseModel):
    agent_id: int
    average: float | None
    count: int
    scores: list[ScoreRead]


# The QA workflow: review queue, verdicts, disputes, agreement, agent summaries.


class DecisionIn(BaseModel):
    passed: bool | None = Field(description="The reviewer's verdict; null = not applicable.")
    comment: str = Field(default="", max_length=2000)


class ReviewIn(BaseModel):
    decisions: dict[str, DecisionIn]


class AssignIn(BaseModel):
    user_id: DbId | None


class DisputeIn(BaseModel):
    item: str = Field(min_length=1, max_length=80)
    comment: str = Field(min_length=1, max_length=2000)


class ResolveIn(BaseModel):
    upheld: bool
    resolution: str = Field(default="", max_length=2000)


class ManualIn(BaseModel):
    knowledge: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    performance: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)


Proficiency = Annotated[int, Field(ge=1, le=5)]


class VerdictRead(BaseModel):
    item: str
    machine: bool | None
    human: bool | None
    comment: str


class ReviewRead(BaseModel):
    id: int
    call_id: int
    state: str
    severity: int
    reasons: list[str]
    sampled: bool
    flagged_at: datetime
    assignee_id: int | None
    machine_total: float | None
    final_total: float | None
    verdicts: list[VerdictRead]

    @classmethod
    def of(cls, review: Review) -> ReviewRead:
        return cls(
            id=review.id,
            call_id=review.call_id,
            state=review.state,
            severity=review.severity,
            reasons=review.reasons,
            sampled=review.sampled,
            flagged_at=review.flagged_at,
            assignee_id=review.assignee_id,
            machine_total=review.machine_total,
            final_total=review.final_total,
            verdicts=[
                VerdictRead(item=v.item, machine=v.machine_passed, human=v.human_passed, comment=v.comment)
                for v in review.verdicts
            ],
        )


class QueueEntryRead(ReviewRead):
    agent_id: int | None


class DisputeRead(ORMModel):
    id: int
    call_id: int
    item: str
    comment: str
    state: str
    resolution: str | None
    created_at: datetime


class ItemAgreementRead(BaseModel):
    reviewed: int
    agreed: int
    rate: float = Field(description="Share of reviews where the machine's verdict stood (0–1).")


class RecentCallRead(BaseModel):
    call_id: int
    at: datetime
    total: float
    reviewed: bool


class AgentSummaryRead(BaseModel):
    agent_id: int
    name: str
    averages: dict[str, float | None] = Field(description="Mean score (0–100) per window, e.g. '7d'.")
    counts: dict[str, int]
    item_pass_rates: dict[str, float]
    trend: float | None
    team_percentile: float | None
    kpis: dict[str, float | int | None]
    composite: dict[str, Any]
    recent: list[RecentCallRead]


class OverviewRead(BaseModel):
    agents: list[AgentSummaryRead]
    item_pass_rates: dict[str, float]
    flagged_open: int
    disputes_open: int


class ManualScoresRead(BaseModel):
    agent_id: int
    month: str
    knowledge: float | None
    performance: float | None


class JobRead(ORMModel):
    """A job: `status` queued/running/done/failed/dead; `attempts` runs started; `error` why it failed or
    was given up on (dead: worker deaths or exhausted retries, e.g. a recording no worker could read)."""

    id: int
    kind: str
    call_id: int | None
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class CallbackCreate(BaseModel):
    """A callback to record. `due_at` (with a time zone) defaults to `CALLQA_CALLBACK_DUE_DAYS` from now."""

    number: str = Field(min_length=1, max_length=40)
    due_at: AwareDatetime | None = None
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    language: LanguageCode = "en"
    note: str | None = Field(default=None, max_length=2000)
    agent_id: int | None = Field(default=None, ge=1, description="Who is to make it; none: anyone.")


class CallbackAssign(BaseModel):
    agent_id: int | None = Field(default=None, ge=1, description="None: back to anyone.")


class CallbackAttemptCreate(BaseModel):
    outcome: Literal["reached", "no_answer", "closed"]
    note: str | None = Field(default=None, max_length=2000)


class SurveyDigit(BaseModel):
    digit: int = Field(ge=1, le=5, description="The caller's post-call survey key: 1 poor … 5 excellent.")


class DispositionCreate(BaseModel):
    resolved: bool | None = Field(description="Was the caller's need met? None: cannot say.")
    complaint: bool = False
