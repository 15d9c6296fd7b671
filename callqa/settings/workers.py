"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class WorkerSettings(BaseModel):
    """Processing calls: the embedded worker's queue, or Celery workers on many machines, and the
    recording store they read."""

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
    sampling_draw_every_s: float = Field(
        default=300.0,
        gt=0,
        description="How often (s) a worker draws the active sampling plans into the review queue (each "
        "draw tops a plan up to its N for the period, so calls are drawn as they arrive).",
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
