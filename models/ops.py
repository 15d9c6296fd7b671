"""Operational state shared by every process on one database: live workers and leader leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class WorkerBeat(Base):
    """A running worker loop. `heartbeat_at` advances while the loop lives; a clean stop deletes the row,
    so a row whose heartbeat is old belongs to a worker that died."""

    __tablename__ = "worker_beats"

    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[int | None]  # the job in hand (no foreign key: jobs are deleted with their call)


class Lease(Base):
    """A named role only one process may hold at a time (e.g. the hotline router). The holder renews
    `expires_at`; another process may take the lease once it has expired."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
