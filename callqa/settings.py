"""Application settings: read once from `CALLQA_*` environment variables and `.env`, then passed down.

Domain packages never read these; the composition root (CLI, API factory, worker) hands them the values.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Database file, stored recordings, models cache."
    )
    database_url: str | None = Field(
        default=None, description="Any SQLAlchemy URL; default SQLite in data_dir."
    )

    engine: Literal["auto", "vosk", "whisper"] = "auto"
    language: str = "en"
    vosk_model_path: Path | None = None
    whisper_model_path: Path | None = None
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    whisper_vad: bool = Field(
        default=True, description="Skip non-speech before decoding (guards hallucination)."
    )
    whisper_temperature_fallback: bool = Field(
        default=True,
        description="Re-decode by random sampling where whisper's beam text fails its checks; off makes "
        "the same audio always give the same words.",
    )
    vosk_alternatives: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Vosk n-best hypotheses kept per utterance (QA falls back to them).",
    )
    asr_threads: int = Field(default=0, description="CPU threads per decoder; 0 lets the engine decide.")
    second_opinion: bool = Field(
        default=True,
        description="Decode the window of a failed or UNCERTAIN greeting/closing again with a second model.",
    )
    second_opinion_model_path: Path | None = Field(
        default=None,
        description="faster-whisper model dir for second readings; default: the multilingual whisper base.",
    )

    sentiment_model_path: Path | None = Field(
        default=None, description="Trained sentiment artifact; default data_dir/models/sentiment.joblib."
    )
    intent_model_path: Path | None = Field(
        default=None, description="Trained intent artifact; default data_dir/models/intents.joblib."
    )
    intent_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Intent-model probability that counts as a hit (stated uncertain below the category's "
        "certainty point, which training measures).",
    )
    script_path: Path | None = Field(default=None, description="Call script YAML; default: packaged English.")
    scorecard_path: Path | None = None
    company: str | None = Field(default=None, description="Company name filled into the script.")
    company_by_language: dict[str, str] = Field(
        default_factory=dict,
        description='The company\'s name in other languages, JSON (e.g. {"zh": "北风电信"}): a call in one '
        "of them is judged with that name.",
    )
    agent_channel: int = Field(default=0, ge=0, le=1, description="Stereo channel carrying the agent leg.")
    dead_air_min_s: float = 10.0

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
        description="Days after which a call's recording, transcript and originals are deleted (scores "
        "stay); the worker purges once a day. Unset keeps them.",
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

    max_upload_mb: int = 200
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
    live_max_streams: int = Field(
        default=4,
        ge=1,
        description="Live assist: audio legs (two per call) streamed at once; more are refused (HTTP 429).",
    )
    live_max_frame_bytes: int = Field(
        default=6400,
        ge=320,
        description="Live assist: largest audio message (bytes of 8 kHz 16-bit PCM; 6400 = 0.4 s).",
    )
    live_window_s: float = Field(
        default=10.0,
        ge=1,
        le=30,
        description="Live assist: seconds of audio whisper's encoder reads per utterance (30 = whisper's own "
        "window; shorter is faster and a little less accurate: transcription.whisper_engine).",
    )
    live_audiosocket_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Live assist: TCP port for Asterisk AudioSocket streams (api/audiosocket.py; 0: any free "
        "port); unset: not listened on.",
    )
    live_audiosocket_host: str = Field(
        default="127.0.0.1", description="Live assist: address the AudioSocket listener binds to."
    )
    live_burst_s: float = Field(
        default=2.0,
        ge=0,
        description="Live assist: audio (s) a leg may run ahead of the wall clock before it is cut off.",
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
    max_duration_s: float = 4 * 3600.0
    decode_max_rate_hz: int = Field(
        default=16000,
        ge=8000,
        description="The worker reads a recording recorded above this rate (Hz) resampled down to it, block "
        "by block: the speech models use 16 kHz, and 4 h of 48 kHz stereo would otherwise be held as 5.5 GB.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs session tokens. Unset: a random one is generated on first start and kept in "
        "data_dir/secret_key (0600). Rotate by replacing it and restarting; every session then ends.",
    )
    dev_mode: bool = Field(
        default=False, description="Development only: allows a weak or default secret_key and http cookies."
    )
    token_ttl_s: int = Field(default=12 * 3600, ge=60, description="Session lifetime in seconds.")
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set when served behind TLS)."
    )
    max_body_kb: int = Field(
        default=256, ge=1, description="Largest request body other than a recording upload (forms, JSON)."
    )
    login_failures_per_minute: int = Field(
        default=10, ge=1, description="Failed logins allowed per username per minute (then 429)."
    )
    login_failures_per_minute_per_client: int = Field(
        default=60,
        ge=1,
        description="Failed logins allowed per client address per minute (a floor shares one).",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (the client address then comes from the proxy; login throttling "
        "and audit use it). Anyone else's forwarded headers are ignored, so a client cannot pick its own "
        "address. '*' trusts every peer: only where the server is reachable through the proxy alone.",
    )
    login_hash_concurrency: int = Field(
        default=4, ge=1, description="Password checks run at once (each Argon2 check holds ~64 MB)."
    )

    worker_poll_s: float = Field(default=1.0, gt=0, description="Seconds between queue polls when idle.")
    worker_stale_after_s: float = Field(
        default=120.0,
        gt=0,
        description="Seconds without a heartbeat after which a job's or a worker's process counts as dead.",
    )
    worker_recover_every_s: float = Field(
        default=30.0, gt=0, description="Seconds between searches for jobs orphaned by a dead worker."
    )
    worker_max_backoff_s: float = Field(
        default=30.0, gt=0, description="Longest pause (s) between retries while the database fails."
    )
    worker_shutdown_grace_s: float = Field(
        default=60.0,
        ge=0,
        description="Seconds a stopping worker (SIGTERM) may finish its job before handing it back.",
    )
    embedded_worker: bool = True

    broker_url: str | None = Field(
        default=None,
        description="Celery broker (redis://… or amqp://…). Unset: the embedded database queue. Set: calls "
        "are dispatched as Celery tasks to `callqa worker` processes on any number of machines.",
    )
    storage_dir: Path | None = Field(
        default=None,
        description="Where recordings are stored (default data_dir/recordings). With several machines: a "
        "shared mount every server and worker can read (it may be mounted at a different path on each).",
    )
    task_max_retries: int = Field(
        default=5, ge=0, description="Broker mode: retries of a call whose database or recording failed."
    )
    task_retry_backoff_s: float = Field(
        default=2.0, gt=0, description="Broker mode: first retry's delay (s); doubled per retry, jittered."
    )
    task_retry_backoff_max_s: float = Field(
        default=60.0, gt=0, description="Broker mode: longest delay (s) between retries of a call."
    )
    task_visibility_timeout_s: float = Field(
        default=6 * 3600.0,
        gt=0,
        description="Redis broker: a task held unacknowledged this long is delivered again; longer than the "
        "longest call's processing.",
    )
    reconcile_every_s: float = Field(
        default=1.0, gt=0, description="Broker mode: seconds between sending queued calls and finding lost."
    )
    redispatch_after_s: float = Field(
        default=120.0,
        gt=0,
        description="Broker mode: a queued call's message this old may be sent again when the broker holds "
        "fewer messages than there are queued calls (it was lost, e.g. by a broker restart).",
    )

    server_threads: int = Field(
        default=40,
        ge=1,
        description="Threads serving blocking requests (the database pool is sized to them).",
    )
    db_busy_timeout_s: float = Field(
        default=30.0, ge=0, description="SQLite: how long (s) a write waits for another writer's lock."
    )

    @property
    def signing_key(self) -> str:
        """The secret that signs session tokens; set at start-up by `with_secret_key`."""
        if self.secret_key is None:
            raise SecretKeyError("no secret key yet: start through with_secret_key(settings)")
        return self.secret_key

    @property
    def db_url(self) -> str:
        """The effective SQLAlchemy URL."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'callqa.db').resolve()}"

    @property
    def db_pool_size(self) -> int:
        """Connections kept: one per request thread plus the background threads (worker, its heartbeat,
        the hotline ticker and leader lease, metrics), so a burst of requests never starves the worker."""
        return self.server_threads + 8

    @property
    def sentiment_artifact(self) -> Path:
        return (
            self.sentiment_model_path or self.data_dir / "models" / f"sentiment{self._language_suffix}.joblib"
        )

    @property
    def intent_artifact(self) -> Path:
        return self.intent_model_path or self.data_dir / "models" / f"intents{self._language_suffix}.joblib"

    @property
    def _language_suffix(self) -> str:
        """Default artifacts are per language (English keeps its unsuffixed names)."""
        return "" if self.language == "en" else f"_{self.language}"

    @property
    def models_dir(self) -> Path:
        """Pulled and joined speech models (`callqa models`)."""
        return self.data_dir / "models"

    @property
    def recordings_dir(self) -> Path:
        """The recording store's root (layout: `callqa.services.storage`)."""
        return self.storage_dir or self.data_dir / "recordings"

    @property
    def originals_dir(self) -> Path:
        """Unredacted recordings, kept only under `pii_policy` 'redacted_and_original' (admins only): a
        folder of the recording store (`ORIGINALS_FOLDER`), so every machine mounting the store reads them."""
        return self.recordings_dir / ORIGINALS_FOLDER


ORIGINALS_FOLDER = "originals"
"""The recording store's folder of kept originals (recordings_dir/originals/YYYY/MM/DD/<hex>.wav)."""

WEAK_SECRETS = frozenset({"", "change-me-in-production", "secret", "changeme"})
MIN_SECRET_CHARS = 32
SECRET_FILE = "secret_key"


class SecretKeyError(RuntimeError):
    """The configured secret cannot be used; the message says how to fix it."""


def with_secret_key(settings: Settings) -> Settings:
    """`settings` with a usable `secret_key`: the configured one if strong, else the one kept in
    `data_dir/secret_key`, created (random, mode 0600) on first start.

    Outside `dev_mode` a weak or default configured secret, or a key file others can read, is refused:
    anyone who knows the secret can forge sessions.
    """
    configured = settings.secret_key
    if configured is not None:
        weak = configured.strip() in WEAK_SECRETS or len(configured) < MIN_SECRET_CHARS
        if weak and not settings.dev_mode:
            raise SecretKeyError(
                f"CALLQA_SECRET_KEY is empty, a default or shorter than {MIN_SECRET_CHARS} characters; unset "
                f"it to have a random one kept in {settings.data_dir / SECRET_FILE}, or set a strong one"
            )
        return settings
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077 and not settings.dev_mode:
            raise SecretKeyError(f"{path} is readable by others; chmod 600 it") from None
        secret = path.read_text().strip()
        if len(secret) < MIN_SECRET_CHARS:
            raise SecretKeyError(f"{path} holds no usable secret; delete it to have a new one made") from None
    else:
        secret = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
    return settings.model_copy(update={"secret_key": secret})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use (not at import)."""
    return Settings()
