"""Prometheus metrics: what this process measures as it works, and what the database says at scrape time.

`DECODE_RTF` is observed by the worker in this process (the embedded worker's calls show on the server's
`/metrics`; a standalone worker keeps its own). `DatabaseCollector` reads the shared state when scraped:
jobs by status and the oldest queued job's age, calls by status, live workers, verdicts by state, and the
hotline's waiting calls and service level (from the server that owns the hotline).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.jobs import queue_state
from models import Call, Job, QAResult, WorkerBeat, utcnow
from qa.analysis import CallAnalysis
from routing.service import QueueStats

log = logging.getLogger("callqa.services.metrics")

DECODE_RTF = Histogram(
    "callqa_decode_real_time_factor",
    "Seconds spent analysing a call (transcription, QA, scoring) per second of its audio, in this process.",
    buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0),
)

VERDICT_WINDOW = timedelta(days=7)
VERDICT_CACHE_S = 60.0  # verdict counts parse stored records: recomputed at most this often


class DatabaseCollector(Collector):
    """Gauges read from the database at each scrape. `hotline_stats` returns the owner's queue figures
    (None when this server does not own the hotline); `stale_after_s` decides which workers are alive;
    `broker_waiting` (broker mode) counts the task messages waiting in the broker."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        stale_after_s: float,
        hotline_stats: Callable[[], QueueStats | None],
        broker_waiting: Callable[[], int] | None = None,
    ) -> None:
        self._factory = factory
        self._stale_after_s = stale_after_s
        self._hotline_stats = hotline_stats
        self._broker_waiting = broker_waiting
        self._verdicts: tuple[float, Counter[tuple[str, str]]] = (float("-inf"), Counter())

    def collect(self) -> Iterator[Metric]:
        try:
            with self._factory() as session:
                yield from self._jobs_and_calls(session)
                yield self._verdict_family(session)
        except Exception as exc:  # a scrape reports what it could read; /health reports the database
            log.warning("metrics: database not readable: %s", type(exc).__name__)
        yield from self._broker()
        yield from self._hotline()

    def _jobs_and_calls(self, session: Session) -> Iterator[Metric]:
        now = utcnow()
        state = queue_state(session, now=now)
        jobs = GaugeMetricFamily(
            "callqa_jobs",
            "Jobs by status (queued, running, done, failed; dead: the dead-letter state).",
            labels=["status"],
        )
        for status, count in state.counts.items():
            jobs.add_metric([status], count)
        yield jobs
        jobs_where = select(func.count()).select_from(Job)
        yield GaugeMetricFamily(
            "callqa_jobs_rerun",
            "Jobs whose run started more than once (a worker died or its message came again).",
            value=session.scalar(jobs_where.where(Job.attempts > 1)) or 0,
        )
        yield GaugeMetricFamily(
            "callqa_jobs_unsent",
            "Broker mode: queued jobs no task message was sent for yet (the reconciler sends them).",
            value=session.scalar(jobs_where.where(Job.status == "queued", Job.dispatched_at.is_(None))) or 0,
        )
        yield GaugeMetricFamily(
            "callqa_oldest_queued_job_age_seconds",
            "Seconds the oldest queued job has waited (0 when none waits).",
            value=state.oldest_queued_age_s or 0.0,
        )
        calls = GaugeMetricFamily("callqa_calls", "Recorded calls by processing status.", labels=["status"])
        for status, count in session.execute(select(Call.status, func.count()).group_by(Call.status)):
            calls.add_metric([status], count)
        yield calls
        alive = session.scalar(
            select(func.count())
            .select_from(WorkerBeat)
            .where(WorkerBeat.heartbeat_at >= now - timedelta(seconds=self._stale_after_s))
        )
        yield GaugeMetricFamily("callqa_workers_alive", "Workers with a fresh heartbeat.", value=alive or 0)

    def _verdict_family(self, session: Session) -> Metric:
        computed_at, counts = self._verdicts
        if time.monotonic() - computed_at > VERDICT_CACHE_S:
            counts = Counter()
            since = utcnow() - VERDICT_WINDOW
            for stored in session.scalars(select(QAResult.analysis).where(QAResult.created_at >= since)):
                analysis = CallAnalysis.from_json(stored)
                counts.update(("check", c.state) for c in analysis.checks.values())
                counts.update(("violation", v.state) for v in analysis.violations)
            self._verdicts = (time.monotonic(), counts)
        family = GaugeMetricFamily(
            "callqa_verdicts",
            "QA verdicts of calls analysed in the last 7 days, by kind (check, violation) and state.",
            labels=["kind", "state"],
        )
        for (kind, state), count in sorted(counts.items()):
            family.add_metric([kind, state], count)
        return family

    def _broker(self) -> Iterator[Metric]:
        if self._broker_waiting is None:
            return
        try:
            waiting = self._broker_waiting()
        except Exception as exc:
            log.warning("metrics: broker not readable: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily(
            "callqa_broker_waiting_messages",
            "Task messages waiting in the broker's queue, not yet taken by a worker.",
            value=waiting,
        )

    def _hotline(self) -> Iterator[Metric]:
        try:
            stats = self._hotline_stats()
        except Exception as exc:
            log.warning("metrics: hotline figures not readable: %s", type(exc).__name__)
            stats = None
        yield GaugeMetricFamily(
            "callqa_hotline_leader",
            "1 when this server owns the hotline router.",
            value=int(stats is not None),
        )
        if stats is None:
            return
        yield GaugeMetricFamily(
            "callqa_hotline_waiting_calls", "Hotline calls waiting now.", value=stats.waiting
        )
        yield GaugeMetricFamily(
            "callqa_hotline_longest_wait_seconds", "Longest current wait (s).", value=stats.longest_wait_s
        )
        if stats.service_level is not None:
            yield GaugeMetricFamily(
                "callqa_hotline_service_level",
                f"Share (0-1) of calls answered within {stats.sl_target_s:g} s (service-level window).",
                value=stats.service_level,
            )
