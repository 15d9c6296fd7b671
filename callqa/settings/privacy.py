"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PrivacySettings(BaseModel):
    """Personal data: redaction policy, caller-number pseudonyms and retention."""

    pii_policy: Literal["redacted", "redacted_and_original", "off"] = Field(
        default="redacted",
        description="Personal data (card numbers, security codes, phone numbers …) in calls: 'redacted' "
        "stores transcripts, QA records and the recording with it replaced ([CARD], silence) and keeps no "
        "original; "
        "'redacted_and_original' also keeps the originals, readable by admins only, every read audited; "
        "'off' stores calls as said.",
    )
    caller_number_key: str | None = Field(
        default=None,
        min_length=16,
        description="Secret key (16+ characters) under which a recorded call keeps its caller's number as "
        "a pseudonym (HMAC-SHA256): a repeat caller's calls share it, the number is not stored. Unset: the "
        "number is not kept on the call. No default: a key everyone knows would make the pseudonyms "
        "reversible by trying every number.",
    )
    pii_min_score: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Recognizer score (0-1) from which a finding is redacted."
    )
    retention_days: float | None = Field(
        default=None,
        ge=0,
        description="Days after which a call's recording, transcript and originals, and live wall alerts, "
        "are deleted (scores stay); the worker purges once a day. Unset keeps them.",
    )
    retention_check_every_s: float = Field(
        default=3600.0, gt=0, description="How often (s) a worker looks whether the daily purge is due."
    )
    pii_audio_pad_s: float = Field(
        default=0.35,
        ge=0.0,
        le=2.0,
        description="Seconds silenced before and after each redacted stretch of audio (word times are "
        "approximate).",
    )
