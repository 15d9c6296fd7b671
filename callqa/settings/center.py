"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class CenterSettings(BaseModel):
    """Running the center: review queue, hotline routing and callbacks, the PBX adapter, webhooks and
    the KPIs and appraisals computed from calls."""

    review_sample_per_week: int = Field(
        default=2, ge=0, description="Calls per agent per week sampled for review without a flag."
    )
    review_sample_rate: float = Field(
        default=0.25, ge=0.0, le=1.0, description="Chance an unflagged call is sampled (until the quota)."
    )
    review_severity_critical_failed: int = Field(
        default=3, ge=0, description="Review-queue severity added per failed critical scorecard item."
    )
    review_severity_caller_negative_end: int = Field(
        default=2, ge=0, description="Review-queue severity added when the caller's sentiment ends negative."
    )
    review_severity_uncertain: int = Field(
        default=1, ge=0, description="Review-queue severity added when any verdict is UNCERTAIN."
    )
    routing_config_path: Path | None = Field(
        default=None, description="Hotline routing YAML (strategy, IVR map, relaxation); default packaged."
    )
    hotline_lease_s: float = Field(
        default=15.0,
        gt=0,
        description="Hotline owner's lease (s) among servers on one DB; a standby takes over when it lapses.",
    )
    hotline_key: str | None = Field(
        default=None, description="Shared secret the PBX/IVR sends as X-Hotline-Key to drive the hotline API."
    )
    callback_due_days: float = Field(
        default=3.0,
        gt=0,
        description="Days within which a requested callback is due (unless the request says).",
    )
    callback_max_attempts: int = Field(
        default=3, ge=1, description="Unanswered tries after which a callback is closed as no_answer."
    )
    callback_retry_s: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds after an unanswered try before the hotline offers it again.",
    )
    callback_offer: bool = Field(
        default=True,
        description="The hotline offers ready callbacks to free agents like calls (when nobody is waiting).",
    )
    ami_username: str | None = Field(
        default=None, description="Asterisk manager.conf user the AMI adapter (`callqa pbx ami`) logs in as."
    )
    ami_secret: str | None = Field(default=None, description="That AMI user's secret (no default, ever).")
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="Seconds a webhook receiver has to answer."
    )
    webhook_retry_base_s: float = Field(
        default=5.0, gt=0, description="Wait after a webhook's first failed attempt (s); doubles each time."
    )
    webhook_retry_max_s: float = Field(default=3600.0, gt=0, description="Longest wait between attempts (s).")
    webhook_max_attempts: int = Field(default=10, ge=1, description="Attempts before a delivery is failed.")
    webhook_secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Seals webhook signing secrets in the database (32+ random characters; no default, "
        "ever). Needed to add a subscription; a server with subscriptions stored does not start without it.",
    )
    fcr_window_days: float = Field(
        default=7.0,
        gt=0,
        description="First-contact resolution: a repeat call from the same number for the same need within "
        "this many days means the first was not resolved (routing/kpis.py).",
    )
    csat_satisfied_from: int = Field(
        default=4, ge=1, le=5, description="Survey digit (1-5) from which a caller counts as satisfied."
    )
    appraisal_self_weight: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share of the agent's self-evaluation in the monthly appraisal; the manager's evaluation "
        "has the rest (scoring/appraisal.py).",
    )
