"""Background jobs whose state lives in the database, so a crash never loses work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed", "dead")
"""`failed`: the call itself could not be processed (the reason is on the call); `dead`: given up on after
repeated worker deaths or exhausted retries (the dead-letter state; an admin may queue it again)."""


class Job(Base):
    """A unit of background work. A `running` job whose `heartbeat_at` is stale belongs to a dead worker."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # With a broker (CALLQA_BROKER_URL): the id of the task message that claimed the job (a redelivery of
    # that same message means its first run was lost), and when a message for it was last sent.
    task_id: Mapped[str | None] = mapped_column(String(64))
    dispatched_at: Mapped[datetime | None]
