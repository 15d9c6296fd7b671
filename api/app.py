"""The FastAPI application factory: JSON API, OpenAPI docs, and the embedded background worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.orm import Session, sessionmaker

from api import pages
from api.admission import AdmissionLimit
from api.audiosocket import AudioSocketListener
from api.deps import LoginRequired, staff_refusal
from api.errors import install_error_handlers
from api.live import LiveHub
from api.metrics import install_metrics
from api.middleware import BodyLimits, SecurityHeaders, UploadRule
from api.routes import (
    agents,
    appraisals,
    auth,
    calibration,
    calibration_sets,
    callbacks,
    calls,
    evaluation,
    hotline,
    jobs,
    kpis,
    live,
    live_wall,
    ops,
    originals,
    reviews,
    sampling,
    scorecards,
    teams,
    webhooks,
)
from api.security import LoginGuard
from callqa.runtime import open_database
from callqa.services.callbacks import offer_callbacks_forever
from callqa.services.hotline import Hotline
from callqa.services.leader import LeaderLease
from callqa.services.webhook_sender import DeliveryPolicy, deliver_forever
from callqa.services.webhooks import install_outbox, require_webhook_key, secret_box
from callqa.settings import Settings, get_settings, with_secret_key
from routing.config import load_routing_config
from scoring.scorecard import load_scorecard

logger = logging.getLogger(__name__)

MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""Room for the form's boundaries and small fields beside the recording itself."""


def create_app(
    settings: Settings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the app. Without a `session_factory` the configured database is migrated and opened."""
    settings = with_secret_key(settings or get_settings())
    factory = session_factory or open_database(settings)
    install_outbox(factory)
    # Stored webhook secrets are sealed: a server that cannot open them refuses to start, saying why.
    box = secret_box(settings.webhook_secret_key)
    with factory() as session:
        require_webhook_key(session, box)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Blocking routes run on this many threads; the database pool holds one connection per thread.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.server_threads
        # The file cards are stored here, once, so that reading them (pages, GET /api/scorecards) never
        # writes.
        from callqa.services.processing import store_file_scorecards

        store_file_scorecards(settings, factory)
        stop = threading.Event()
        ticker = threading.Thread(target=_tick_forever, args=(app.state.hotline, stop), daemon=True)
        ticker.start()
        # Its own thread: renewing must not wait behind hotline requests holding the router's lock.
        leaser = threading.Thread(target=_keep_lease_forever, args=(app.state.hotline, stop), daemon=True)
        leaser.start()
        if settings.callback_offer:
            offerer = threading.Thread(
                target=offer_callbacks_forever,
                args=(app.state.hotline, factory),
                kwargs={"retry_after_s": settings.callback_retry_s, "stop": stop},
                daemon=True,
            )
            offerer.start()
        # Webhook outbox: rows committed with their events, sent (and retried) from here.
        policy = DeliveryPolicy(
            timeout_s=settings.webhook_timeout_s,
            base_s=settings.webhook_retry_base_s,
            max_s=settings.webhook_retry_max_s,
            max_attempts=settings.webhook_max_attempts,
        )
        sender = None
        if box is not None:  # without a key no subscription can be stored (require_webhook_key)
            sender = threading.Thread(target=deliver_forever, args=(factory, policy, box, stop), daemon=True)
            sender.start()
        thread = None
        # With a broker, calls go to Celery workers (`callqa worker`), not to a thread of this server.
        if settings.embedded_worker and not settings.broker_url:
            # Imported here so the API can be served without loading the ASR stack when no worker runs.
            from callqa.services.processing import make_worker

            worker = make_worker(settings, factory)
            thread = threading.Thread(
                target=worker.run_forever, args=(stop,), name="callqa-worker", daemon=True
            )
            thread.start()
            app.state.worker_thread = thread
        audiosocket: AudioSocketListener | None = app.state.audiosocket
        if audiosocket is not None and settings.live_audiosocket_port is not None:
            await audiosocket.start(settings.live_audiosocket_host, settings.live_audiosocket_port)
        yield
        stop.set()
        if audiosocket is not None:
            await audiosocket.stop()
        app.state.live.shutdown()
        ticker.join(timeout=5)
        leaser.join(timeout=5)
        if sender is not None:
            sender.join(timeout=settings.webhook_timeout_s + 1)
        if lease.held:
            lease.release()  # a standby server takes the hotline over at once
        if thread is not None:
            thread.join(timeout=settings.worker_shutdown_grace_s)
            if thread.is_alive():  # the job in hand did not finish in time: back to the queue, not lost
                worker.abandon()

    # Swagger UI and ReDoc from the files of the installed fastapi-offline package: /docs works offline.
    app = FastAPIOffline(
        title="callqa",
        version="0.1.0",
        lifespan=lifespan,
        description=__doc__,
        static_url="/static/docs",
        favicon_url="/static/docs/favicon.png",
    )
    app.state.settings = settings
    app.state.session_factory = factory
    app.state.webhook_box = box
    # One router per database: servers sharing it elect the hotline's owner through a lease row.
    lease = LeaderLease(factory, "hotline", ttl_s=settings.hotline_lease_s)
    app.state.hotline = Hotline(factory, load_routing_config(settings.routing_config_path), lease=lease)
    app.state.scorecard = load_scorecard(settings.scorecard_path, settings.language)
    app.state.live = LiveHub(settings, factory)
    app.state.audiosocket = (
        AudioSocketListener(app.state.live) if settings.live_audiosocket_port is not None else None
    )
    app.state.login_guard = LoginGuard(
        per_username_per_minute=settings.login_failures_per_minute,
        per_client_per_minute=settings.login_failures_per_minute_per_client,
        max_concurrent_checks=settings.login_hash_concurrency,
    )
    install_error_handlers(app)
    app.add_middleware(
        AdmissionLimit,
        limit=settings.server_threads,
        exempt=("/health", "/metrics", "/static/", "/api/hotline/stats/stream", "/api/live/"),
    )
    # Limits and headers sit outside admission: a refused body never waits for a slot, and every
    # answer (refusals too) carries the security headers.
    upload = UploadRule(
        max_bytes=settings.max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD_BYTES,
        authorize=partial(staff_refusal, factory, settings),
    )
    app.add_middleware(
        BodyLimits, max_body_bytes=settings.max_body_kb * 1024, uploads={("POST", "/api/calls"): upload}
    )
    app.add_middleware(SecurityHeaders)
    install_metrics(app, app.state.hotline)  # added last: the outermost layer, so latency includes admission
    app.include_router(auth.router)
    app.include_router(calls.router)
    app.include_router(originals.router)
    app.include_router(agents.router)
    app.include_router(hotline.router)
    app.include_router(callbacks.router)
    app.include_router(kpis.router)
    app.include_router(appraisals.router)
    app.include_router(teams.router)
    app.include_router(reviews.router)
    app.include_router(evaluation.router)
    app.include_router(calibration.router)
    app.include_router(calibration_sets.router)
    app.include_router(scorecards.router)
    app.include_router(sampling.router)
    app.include_router(jobs.router)
    app.include_router(webhooks.router)
    app.include_router(live.router)
    app.include_router(live_wall.router)
    app.include_router(ops.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    return app


def _tick_forever(hotline: Hotline, stop: threading.Event) -> None:
    """Relaxation steps and wrap-up ends happen with time, not only on requests: apply them each second."""
    while not stop.wait(1.0):
        try:
            hotline.tick()
        except Exception:  # a failed tick is retried next second; the hotline rebuilt itself from the DB
            logger.exception("hotline tick failed")


def _keep_lease_forever(hotline: Hotline, stop: threading.Event) -> None:
    """Renew (or take over) the hotline lease; the lease itself decides when a database write is due."""
    while not stop.wait(0.5):
        hotline.keep_lease()
