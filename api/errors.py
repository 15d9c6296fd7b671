"""Map domain errors to HTTP responses with clear messages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from callqa.ingest import AgentNotFoundError, IngestError
from callqa.users import UserError
from transcription.exceptions import (
    AudioError,
    EmptyAudioError,
    ModelNotFoundError,
    SilentAudioError,
    UnsupportedAudioError,
)

_STATUS: list[tuple[type[Exception], int]] = [
    (AgentNotFoundError, 404),
    (UnsupportedAudioError, 415),
    (EmptyAudioError, 422),
    (SilentAudioError, 422),
    (AudioError, 422),
    (IngestError, 415),
    (UserError, 422),
    (ModelNotFoundError, 503),
]


def install_error_handlers(app: FastAPI) -> None:
    for exc_type, code in _STATUS:
        app.add_exception_handler(exc_type, _handler(code))


def _handler(code: int):  # type: ignore[no-untyped-def]
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=code)

    return handle
