"""Operations: `/health` for load balancers and probes (503 when calls would not be processed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from callqa.services.health import check_health

router = APIRouter(tags=["meta"])


class WorkerHealth(BaseModel):
    alive: int
    heartbeat_age_s: float | None
    embedded: bool | None


class QueueHealth(BaseModel):
    queued: int | None
    running: int | None
    failed: int | None
    oldest_queued_age_s: float | None


class HealthRead(BaseModel):
    status: str
    database: str
    worker: WorkerHealth
    queue: QueueHealth


@router.get("/health", response_model=HealthRead, responses={503: {"model": HealthRead}})
def health(request: Request) -> Any:
    """Database reachable, a worker alive (heartbeat fresher than CALLQA_WORKER_STALE_AFTER_S), queue depth
    and the oldest queued job's age. 503 when the database fails or no worker is alive."""
    state = request.app.state
    thread = getattr(state, "worker_thread", None)
    report = check_health(
        state.session_factory,
        stale_after_s=state.settings.worker_stale_after_s,
        embedded_worker=None if thread is None else thread.is_alive(),
    )
    body = HealthRead.model_validate(report.to_dict())
    return JSONResponse(body.model_dump(), status_code=200 if report.ok else 503)
