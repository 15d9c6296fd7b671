"""Every error the API answers, in one JSON shape (`ErrorRead`), mapped here once by exception type.

Domain packages raise their own errors without HTTP codes; this table is the only place that decides which
status each one gets. The most specific type wins (the table is searched along the exception's MRO), so a
subtype such as `ReviewStateError` (409) overrides its base `ReviewError` (422).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.pages.rendering import error_page, wants_page
from api.security import LoginThrottled
from callqa.services.hotline_errors import (
    HotlineError,
    HotlineInputError,
    HotlineNotFoundError,
    HotlineNotLeaderError,
    HotlineRefusedError,
    HotlineStateError,
)
from callqa.services.ingest import (
    AgentNotFoundError,
    IngestError,
    SimultaneousDuplicateError,
    UnknownLanguageError,
)
from callqa.services.jobs import JobNotFoundError, JobStateError
from callqa.services.live_alerts import LiveAlertNotFoundError
from callqa.services.users import UserError
from callqa.services.webhooks import WebhookInputError, WebhookKeyError, WebhookNotFoundError
from routing.callbacks import CallbackError, CallbackNotFoundError, CallbackStateError
from routing.engine import RoutingError
from routing.escalations import EscalationError
from routing.kpis import FeedbackError, FeedbackNotFoundError, FeedbackStateError
from routing.teams import TeamError, TeamExistsError, TeamNotFoundError
from scoring.appraisal import AppraisalError, AppraisalExistsError
from scoring.exceptions import ReviewError, ReviewStateError, ScorecardError
from transcription.exceptions import AudioError, ModelNotFoundError, UnsupportedAudioError

logger = logging.getLogger(__name__)


class FieldError(BaseModel):
    """One invalid request field: where it is (`["body", "limit"]`) and what is wrong with it."""

    loc: list[str | int]
    msg: str


class ErrorRead(BaseModel):
    """The one error shape: a stable machine-readable `error` name and a human `detail` message."""

    error: str
    detail: str
    fields: list[FieldError] = []


STATUS_BY_TYPE: dict[type[Exception], int] = {
    AgentNotFoundError: 404,
    UnknownLanguageError: 422,
    UnsupportedAudioError: 415,
    AudioError: 422,
    IngestError: 415,
    SimultaneousDuplicateError: 409,
    UserError: 422,
    ModelNotFoundError: 503,
    ReviewError: 422,
    ReviewStateError: 409,
    ScorecardError: 500,
    HotlineError: 409,
    HotlineStateError: 409,
    HotlineNotFoundError: 404,
    HotlineInputError: 422,
    HotlineRefusedError: 422,
    HotlineNotLeaderError: 503,
    RoutingError: 422,
    CallbackError: 422,
    CallbackNotFoundError: 404,
    CallbackStateError: 409,
    FeedbackError: 422,
    FeedbackNotFoundError: 404,
    FeedbackStateError: 409,
    LoginThrottled: 429,
    JobNotFoundError: 404,
    LiveAlertNotFoundError: 404,
    JobStateError: 409,
    WebhookNotFoundError: 404,
    WebhookInputError: 422,
    WebhookKeyError: 503,  # the deployment has no key to seal secrets with: not the client's fault
    EscalationError: 422,
    TeamError: 422,
    TeamNotFoundError: 404,
    TeamExistsError: 409,
    AppraisalError: 422,
    AppraisalExistsError: 409,
    # A unique or foreign-key constraint refused a write another request raced us to: a conflict, not a
    # crash. Its message (which carries the SQL parameters, e.g. a password hash) is never echoed or logged.
    IntegrityError: 409,
    # The database is locked or unreachable (nothing was written): the client may retry shortly.
    OperationalError: 503,
}

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorRead} for code in (401, 403, 404, 409, 413, 415, 422, 429)
}
"""OpenAPI `responses=` for routers: every error status is documented with the one shape."""


def status_for(exc: Exception) -> int | None:
    """The status of the most specific mapped type in `exc`'s class hierarchy, or None if unmapped."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_TYPE:
            return STATUS_BY_TYPE[cls]
    return None


def error_response(
    status: int,
    error: str,
    detail: str,
    *,
    fields: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorRead(error=error, detail=detail, fields=fields or [])
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer HTTP errors, validation errors and every mapped domain error in the one shape."""
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    for exc_type in STATUS_BY_TYPE:
        app.add_exception_handler(exc_type, _domain_error)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if wants_page(request) and exc.status_code >= 400:
        return error_page(request, exc.status_code, str(exc.detail))
    name = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(exc.status_code, name, str(exc.detail), headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    fields = [
        FieldError(loc=[p for p in e.get("loc", ()) if isinstance(p, str | int)], msg=str(e.get("msg", "")))
        for e in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(str(p) for p in f.loc[1:] or f.loc)}: {f.msg}" for f in fields)
    if wants_page(request):
        return error_page(request, 422, detail or "the form was incomplete")
    return error_response(422, "validation_error", detail or "invalid request", fields=fields)


async def _domain_error(request: Request, exc: Exception) -> Response:
    status = status_for(exc) or 500
    headers: dict[str, str] | None = None
    if isinstance(exc, IntegrityError):
        # Only the constraint's name-level summary; `exc.params` may hold secrets.
        logger.warning("write refused by a database constraint: %s", type(exc.orig).__name__)
        error, detail = "conflict", "conflicts with existing data; reload and try again"
    elif isinstance(exc, OperationalError):
        # The driver's message only: the statement's parameters may hold secrets.
        logger.error("database unavailable: %s", str(exc.orig).splitlines()[0] if exc.orig else "")
        error, detail = "database_unavailable", "the database is busy; try again shortly"
        headers = {"Retry-After": "5"}
    else:
        if status >= 500:
            logger.error("%s: %s", type(exc).__name__, exc)
        if isinstance(exc, LoginThrottled):
            headers = {"Retry-After": str(exc.retry_after_s)}
        error, detail = type(exc).__name__, str(exc)
    if wants_page(request):
        # A page form's error (e.g. a dispute resolved twice) is a page with a way back, never raw JSON.
        page = error_page(request, status, detail)
        page.headers.update(headers or {})
        return page
    return error_response(status, error, detail, headers=headers)
