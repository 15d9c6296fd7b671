"""ASGI middleware at the very edge: limits checked before a request body is read, security headers on
every response.

Starlette parses a multipart upload (spooling it to disk) before any route dependency runs, so the route
cannot refuse an anonymous or oversized upload in time. `BodyLimits` therefore decides from the request
line and headers alone: content type, declared length and — for uploads — the caller's login, and then
counts the bytes actually received, so a chunked body without a length is cut off at the limit too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import anyio
from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class UploadRule:
    """A route that accepts a large multipart body, from authorised callers only."""

    max_bytes: int
    authorize: Callable[[Headers], int | None]
    """Runs in a worker thread on the request headers: None to accept, else the status (401/403)."""


class BodyLimits:
    """Refuse bodies that are too large or of the wrong type before reading them.

    `uploads` maps (method, path) to its `UploadRule`; every other body may be at most `max_body_bytes`
    (forms and JSON, e.g. the login form).
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, uploads: Mapping[tuple[str, str], UploadRule]
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.uploads = dict(uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rule = self.uploads.get((scope["method"], scope["path"]))
        limit = rule.max_bytes if rule else self.max_body_bytes
        if rule is not None:
            if not headers.get("content-type", "").startswith("multipart/form-data"):
                await _refuse(scope, receive, send, 415, "upload the recording as multipart/form-data")
                return
            status = await anyio.to_thread.run_sync(rule.authorize, headers)
            if status is not None:
                detail = "not authenticated" if status == 401 else "requires role qa or admin"
                await _refuse(scope, receive, send, status, detail)
                return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(scope, receive, send, 413, _too_large(limit))
            return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: int) -> Receive:
    """`receive` that fails with 413 once more than `limit` body bytes arrived (chunked or lying)."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                # An HTTPException is re-raised by FastAPI's body parsing and answered by our handler.
                raise HTTPException(413, _too_large(limit))
        return message

    return counted


def _too_large(limit: int) -> str:
    return (
        f"request body exceeds {limit / 1024 / 1024:.1f} MB"
        if limit >= 1 << 20
        else (f"request body exceeds {limit // 1024} KB")
    )


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    """Answer without reading the body; the server closes the connection on the unread rest."""
    headers = {"Connection": "close"}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    error = {401: "unauthorized", 403: "forbidden", 413: "content_too_large", 415: "unsupported_media_type"}
    response = error_response(status, error.get(status, "refused"), detail, headers=headers)
    await response(scope, receive, send)


# Pages and the JSON API load nothing from elsewhere; the API docs need their inline start-up script.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """Content-Security-Policy, no framing, no MIME sniffing, no referrer leaving the site (same-origin: a
    page's form still tells this server which page it came from, for the error page's way back)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"].startswith(DOCS_PATHS) else PAGE_CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                for name, value in (
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ):
                    if name not in present:
                        raw.append((name, value))
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, with_headers)
