"""`callqa worker`: background workers that transcribe, check and score queued calls."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from types import FrameType
from typing import Annotated

import typer

from callqa.cli.console import out
from callqa.settings import Settings, get_settings


def _run_worker(settings: Settings, once: bool) -> int:
    """One worker loop (in this process); returns the jobs processed when `once`."""
    from callqa.runtime import open_database
    from callqa.services.processing import make_worker
    from callqa.services.worker import run_until_signalled

    w = make_worker(settings, open_database(settings))
    if once:
        w.recover()
        count = 0
        while w.run_once():
            count += 1
        return count
    run_until_signalled(w, grace_s=settings.worker_shutdown_grace_s)
    return 0


def worker(
    once: Annotated[bool, typer.Option(help="Process the queue until empty, then exit.")] = False,
    processes: Annotated[
        int,
        typer.Option("--processes", "--concurrency", "-c", min=0, help="Worker processes; 0 = one per core."),
    ] = 1,
) -> None:
    """Run background workers that transcribe, check and score queued calls (jobs are claimed
    atomically, so any number of workers on any number of machines can share the queue). SIGTERM lets
    the job in hand finish (CALLQA_WORKER_SHUTDOWN_GRACE_S), then hands it back to the queue. With
    CALLQA_BROKER_URL set: a Celery worker with that many pool processes (callqa.services.tasks)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    count = processes or os.cpu_count() or 1
    if settings.broker_url:
        if once:
            raise typer.BadParameter("--once drains the embedded queue; not with CALLQA_BROKER_URL")
        from callqa.services.tasks import run_worker_node

        # One decoder thread per pool process, as below.
        single = settings.model_copy(update={"asr_threads": settings.asr_threads or 1})
        run_worker_node(single, concurrency=count)
        return
    if count == 1:
        done = _run_worker(settings, once)
    else:
        # One decoder thread per process; spawn, because the engines' thread pools do not survive a fork.
        settings = settings.model_copy(update={"asr_threads": settings.asr_threads or 1})

        def forward(signum: int, _frame: FrameType | None) -> None:
            """Each child finishes or hands back its own job; the parent waits for them."""
            for child in multiprocessing.active_children():
                os.kill(child.pid or 0, signum)

        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
            signal.signal(signal.SIGTERM, forward)
            signal.signal(signal.SIGINT, forward)
            done = sum(pool.map(_run_worker, [settings] * count, [once] * count))
    if once:
        out.print(f"processed {done} job(s)")
