"""Admission control: at most `limit` requests are worked on at once; the rest wait their turn.

A blocking route holds a pooled database connection from its first query until its session closes,
including while it waits for a thread or for the hotline's lock. Letting every arrival in would need one
connection per request in flight (a burst of 200 exhausted the pool: 500s after its 30 s timeout). Here
a request beyond the limit waits in the event loop before it touches the database, holding only its
socket, and the pool is sized for the limit plus the background threads (`Settings.db_pool_size`).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionLimit:
    """ASGI middleware: `limit` HTTP requests at a time; paths starting with an `exempt` prefix (health
    probes, static files, long-lived event streams) bypass the queue."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.exempt = exempt
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
