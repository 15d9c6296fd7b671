"""Pydantic models of what the JSON API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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


class AgentRead(ORMModel):
    id: int
    name: str
    employee_no: str | None
    active: bool


class RecordingRead(ORMModel):
    original_filename: str | None
    format: str
    sample_rate: int
    channels: int
    duration_s: float
    size_bytes: int
    sha256: str


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


class ViolationRead(ORMModel):
    category: str
    start_s: float
    end_s: float
    text: str
    score: float
    source: str
    state: str


class QAResultRead(ORMModel):
    script_id: str
    script_version: str
    engine: str
    greeting_passed: bool
    closing_passed: bool
    empathy: bool
    caller_sentiment_end: str | None
    violations: list[ViolationRead]
    details: dict[str, Any]


class ScoreRead(ORMModel):
    call_id: int
    total: float
    scorecard_id: str
    scorecard_version: str
    items: list[dict[str, Any]]
    created_at: datetime


class AgentScoresRead(BaseModel):
    agent_id: int
    average: float | None
    count: int
    scores: list[ScoreRead]
