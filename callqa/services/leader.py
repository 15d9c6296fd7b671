"""A leader lease in the database: one process at a time holds a named role (the hotline router).

The holder renews the `leases` row before it expires; any process may take a lease whose `expires_at` has
passed (its holder died or lost the database). Taking and renewing are one conditional UPDATE (or the
first INSERT, refused by the primary key when another process won), so two processes never both succeed.
The holder stops counting itself leader when it has not renewed for the lease's length, so a partitioned
holder steps down before a standby can take over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Lease, utcnow

log = logging.getLogger("callqa.services.leader")


def process_identity() -> str:
    """Who holds a lease, as shown to operators: host and process id."""
    return f"{socket.gethostname()} pid {os.getpid()}"


class LeaderLease:
    """The lease `name` for this process (`holder`), `ttl_s` seconds long, renewed every third of it."""

    def __init__(
        self, factory: sessionmaker[Session], name: str, *, holder: str | None = None, ttl_s: float = 15.0
    ) -> None:
        self._factory = factory
        self.name = name
        self.holder = holder or process_identity()
        self.ttl_s = ttl_s
        self._valid_until = 0.0  # monotonic: we lead until then unless renewed
        self._next_renewal = 0.0
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        """Whether this process leads now (renewed within the lease's length)."""
        return time.monotonic() < self._valid_until

    def keep(self) -> bool:
        """Renew the lease if it is due (or take it if it is free); returns whether this process leads.
        Database errors are logged and count as a missed renewal."""
        with self._lock:
            now = time.monotonic()
            if now >= self._next_renewal:
                try:
                    won = self._take_or_renew()
                except Exception as exc:
                    log.warning("lease %s: renewal failed: %s", self.name, type(exc).__name__)
                    won = False
                if won:
                    self._valid_until = now + self.ttl_s
                    self._next_renewal = now + self.ttl_s / 3
                else:
                    self._next_renewal = now + min(1.0, self.ttl_s / 3)
            return self.held

    def owner(self) -> str | None:
        """The current holder (None when nobody holds an unexpired lease)."""
        with self._factory() as session:
            row = session.get(Lease, self.name)
            return row.holder if row is not None and row.expires_at > utcnow() else None

    def release(self) -> None:
        """Give the lease up now (clean shutdown), so a standby takes over without waiting for expiry."""
        with self._lock:
            self._valid_until = 0.0
            with self._factory() as session:
                session.execute(delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder))
                session.commit()

    def _take_or_renew(self) -> bool:
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl_s)
        with self._factory() as session:
            renewed = session.execute(
                update(Lease)
                .where(Lease.name == self.name, or_(Lease.holder == self.holder, Lease.expires_at < now))
                .values(
                    holder=self.holder,
                    expires_at=expires,
                    acquired_at=case((Lease.holder == self.holder, Lease.acquired_at), else_=now),
                )
            )
            if renewed.rowcount == 1:  # type: ignore[attr-defined]
                session.commit()
                return True
            if session.scalar(select(Lease.name).where(Lease.name == self.name)) is not None:
                return False  # held by another process, not expired
            session.add(Lease(name=self.name, holder=self.holder, acquired_at=now, expires_at=expires))
            try:
                session.commit()
            except IntegrityError:  # another process inserted it first
                return False
            return True
