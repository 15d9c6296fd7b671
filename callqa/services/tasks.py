"""Broker mode (CALLQA_BROKER_URL set): calls are processed by Celery tasks through the same pipeline and
job functions as the embedded queue. The jobs table stays the truth of a call's state; a task message only
says "run job N".

- Acks late, prefetch 1, rejected when the process running it dies: a message is acknowledged after its
  job committed or failed, and goes back to the queue when its worker process is killed.
- A delivery that finds its job done, dead or held by another message does nothing (`claim_job`); a
  redelivery of the message whose run was lost takes the job over, and the earlier run, if it still
  lives, can no longer commit (`finish_job`).
- Database trouble and an unreadable recording hand the job back and retry with exponential backoff
  (jittered); after `task_max_retries` the job goes to the dead-letter state (`dead`, visible in the API)
  and its call fails with the reason.
- Messages are sent by the reconciler (`callqa.services.reconciler`): for new jobs, for jobs whose worker
  died, and again for jobs whose message the broker lost.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from typing import Any

from celery import Celery, Task, signals

from callqa.services.jobs import bury, mark_dispatched
from callqa.services.storage import RecordingUnreadable
from callqa.services.worker import TRANSIENT_DB_ERRORS, Worker
from callqa.settings import Settings
from models import session_scope

log = logging.getLogger("callqa.tasks")

QUEUE = "callqa"
PROCESS_JOB = "callqa.process_job"
RETRYABLE = (*TRANSIENT_DB_ERRORS, RecordingUnreadable)
RECONCILER_LEASE_ROUNDS = 10
"""The reconciler's lease lasts this many rounds: a killed leader's duty passes on after that long."""


def make_celery(settings: Settings) -> Celery:
    """The Celery app for `settings.broker_url`, with the task that runs a job registered."""
    if not settings.broker_url:
        raise ValueError("CALLQA_BROKER_URL is not set: calls go through the embedded database queue")
    app = Celery("callqa", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # the jobs table holds the outcome
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.task_visibility_timeout_s},
        # A task in hand finishes when the broker connection drops: its outcome is committed to the database,
        # which is the truth; cancelling it would only redo the work.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    runner = _JobRunner(settings)

    def process_job(task: Task[Any, Any], job_id: int) -> str:
        return runner.run(task, job_id)

    app.task(name=PROCESS_JOB, bind=True, max_retries=settings.task_max_retries)(process_job)
    return app


def send_job(app: Celery, job_id: int) -> str:
    """Send a message for job `job_id`; returns its task id."""
    return str(app.send_task(PROCESS_JOB, args=[job_id], queue=QUEUE).id)


def waiting_messages(app: Celery) -> int:
    """Messages in the broker's queue not yet taken by a worker (0 when the queue does not exist)."""
    with app.connection_for_read() as conn:
        try:
            return int(conn.default_channel.queue_declare(queue=QUEUE, passive=True).message_count)
        except conn.channel_errors:
            return 0


class _JobRunner:
    """Runs jobs in one worker process with one `Worker` (one analyzer: the speech models load once)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._worker: Worker | None = None

    def worker(self) -> Worker:
        if self._worker is None:
            from callqa.runtime import open_database
            from callqa.services.processing import make_worker

            self._worker = make_worker(
                self._settings, open_database(self._settings), retryable=(RecordingUnreadable,)
            )
        return self._worker

    def run(self, task: Task[Any, Any], job_id: int) -> str:
        try:
            outcome = self.worker().run_job(job_id, task_id=str(task.request.id))
        except RETRYABLE as exc:  # the job was handed back to the queue (or never claimed)
            reason = f"{type(exc).__name__}: {exc}"
            retries = int(task.request.retries)
            if retries >= self._settings.task_max_retries:
                with session_scope(self.worker().sessions) as session:
                    buried = bury(session, job_id, f"gave up after {retries + 1} tries: {reason}")
                log.error("job %s dead-lettered after %d tries: %s", job_id, retries + 1, reason)
                return "dead" if buried else "skipped"
            delay = self._backoff_s(retries)
            log.warning("job %s: %s; retry %d in %.1f s", job_id, reason, retries + 1, delay)
            try:
                with session_scope(self.worker().sessions) as session:
                    mark_dispatched(session, [job_id])  # its next message is on its way
            except TRANSIENT_DB_ERRORS:
                pass  # the reconciler may then send one more message: harmless
            raise task.retry(exc=exc, countdown=delay) from exc
        log.info("job %s: %s", job_id, outcome)
        return outcome

    def _backoff_s(self, retries: int) -> float:
        """Exponential from `task_retry_backoff_s`, capped, with jitter so retries spread out."""
        s = self._settings
        ceiling = min(s.task_retry_backoff_max_s, s.task_retry_backoff_s * 2**retries)
        return random.uniform(ceiling / 2, ceiling)


def run_worker_node(settings: Settings, *, concurrency: int) -> None:
    """`callqa worker` in broker mode: a Celery worker with `concurrency` pool processes, and this node's
    reconciler in a thread of the main process. Returns when Celery stops (SIGTERM: warm shutdown, the
    tasks in hand finish; SIGKILL: their messages are delivered again, see the module docstring)."""
    from callqa.runtime import open_database
    from callqa.services.leader import LeaderLease
    from callqa.services.periodic import periodic_tasks
    from callqa.services.reconciler import Reconciler

    app = make_celery(settings)
    factory = open_database(settings)
    node = f"{socket.gethostname()}:{os.getpid()}"
    reconciler = Reconciler(
        factory,
        send=lambda job_id: send_job(app, job_id),
        waiting=lambda: waiting_messages(app),
        lease=LeaderLease(factory, "reconciler", ttl_s=RECONCILER_LEASE_ROUNDS * settings.reconcile_every_s),
        node_id=f"celery {node}",
        stale_after_s=settings.worker_stale_after_s,
        redispatch_after_s=settings.redispatch_after_s,
        periodic=periodic_tasks(settings),
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=reconciler.run_forever,
        args=(stop,),
        kwargs={"every_s": settings.reconcile_every_s},
        name="callqa-reconciler",
        daemon=True,
    )
    thread.start()
    try:
        app.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                "--loglevel=INFO",
                f"--queues={QUEUE}",
                f"--hostname=callqa@{node}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        stop.set()
        thread.join(timeout=10)


def _forget_inherited_connections(**_: object) -> None:
    """A forked pool process must not use its parent's database connections."""
    from callqa.runtime import forget_inherited_connections

    forget_inherited_connections()


signals.worker_process_init.connect(_forget_inherited_connections, weak=False)
