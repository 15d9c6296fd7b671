"""`/metrics` in the Prometheus text format: request latency per route (this server), the worker's decode
real-time factor (this process), and the database-wide gauges of
`callqa.services.metrics.DatabaseCollector`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest

from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineNotLeaderError
from callqa.services.metrics import DatabaseCollector
from routing.service import QueueStats


def install_metrics(app: FastAPI, hotline: Hotline) -> None:
    """Time every request by its route template and serve `/metrics` (unauthenticated, like `/health`:
    counts and timings only)."""
    registry = CollectorRegistry()  # one per app: tests build many apps in one process
    latency = Histogram(
        "callqa_http_request_duration_seconds",
        "Time from arrival to response headers, including the wait for an admission slot.",
        ["method", "route", "status"],
        registry=registry,
    )

    def hotline_stats() -> QueueStats | None:
        try:
            return hotline.stats()
        except HotlineNotLeaderError:
            return None

    settings = app.state.settings
    broker_waiting = None
    if settings.broker_url:
        from callqa.services.tasks import make_celery, waiting_messages

        celery = make_celery(settings)
        broker_waiting = partial(waiting_messages, celery)
    registry.register(
        DatabaseCollector(
            app.state.session_factory,
            stale_after_s=settings.worker_stale_after_s,
            hotline_stats=hotline_stats,
            broker_waiting=broker_waiting,
        )
    )

    @app.middleware("http")
    async def time_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"  # templates, not ids: bounded label values
        latency.labels(request.method, template, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        body = generate_latest(registry) + generate_latest(REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
