"""Is this deployment working? The database answers, some worker is alive, and how far behind the queue is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.jobs import QueueState, queue_state
from models import WorkerBeat, utcnow


@dataclass(frozen=True)
class Health:
    """`database`: "ok" or the error; `workers_alive`: workers whose heartbeat is fresh; `worker_beat_age_s`:
    seconds since the freshest worker heartbeat (None: no worker ever beat); `queue`: job counts and the
    oldest queued job's age; `embedded_worker`: whether this server's own worker thread runs (None: none)."""

    database: str
    workers_alive: int
    worker_beat_age_s: float | None
    queue: QueueState | None
    embedded_worker: bool | None

    @property
    def ok(self) -> bool:
        """Healthy when the database answers and queued calls will be processed."""
        return self.database == "ok" and self.workers_alive > 0 and self.embedded_worker is not False

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": self.database,
            "worker": {
                "alive": self.workers_alive,
                "heartbeat_age_s": _round(self.worker_beat_age_s),
                "embedded": self.embedded_worker,
            },
            "queue": {
                "queued": self.queue.counts["queued"] if self.queue else None,
                "running": self.queue.counts["running"] if self.queue else None,
                "failed": self.queue.counts["failed"] if self.queue else None,
                "oldest_queued_age_s": _round(self.queue.oldest_queued_age_s) if self.queue else None,
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def check_health(
    factory: sessionmaker[Session], *, stale_after_s: float, embedded_worker: bool | None = None
) -> Health:
    """Read the health figures; a database that fails is reported, not raised."""
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
            now = utcnow()
            newest = session.scalar(select(func.max(WorkerBeat.heartbeat_at)))
            alive = session.scalar(
                select(func.count())
                .select_from(WorkerBeat)
                .where(WorkerBeat.heartbeat_at >= now - timedelta(seconds=stale_after_s))
            )
            queue = queue_state(session, now=now)
    except Exception as exc:
        return Health(f"error: {type(exc).__name__}", 0, None, None, embedded_worker)
    age = None if newest is None else max(0.0, (now - newest).total_seconds())
    return Health("ok", alive or 0, age, queue, embedded_worker)
