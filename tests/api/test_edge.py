"""One API edge: every error in one JSON shape, domain errors mapped by type, a response model on every
JSON route, no blocking database work on the event loop."""

from __future__ import annotations

import inspect
from typing import Annotated, get_args, get_origin

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api.errors import STATUS_BY_TYPE, status_for
from callqa.services.hotline_errors import (
    HotlineError,
    HotlineInputError,
    HotlineNotFoundError,
    HotlineStateError,
)
from scoring.exceptions import ReviewError, ReviewStateError
from tests.api.conftest import ApiEnv
from tests.api.test_reviews import calls, scored  # noqa: F401  (fixture)


def _shape(body: dict[str, object]) -> set[str]:
    return set(body) - {"fields"}


def test_every_error_has_one_shape(api: ApiEnv, calls: dict[str, int]) -> None:  # noqa: F811
    qa, tom = api.token("qa"), api.token("tom")
    answers = {
        "http 404": api.client.get("/api/reviews/999999", headers=qa),
        "http 401": api.client.get("/api/reviews"),
        "validation": api.client.get("/api/reviews?mine=maybe", headers=qa),
        "domain 404": api.client.get("/api/hotline/calls/999999", headers=api.token("admin")),
    }
    dispute = {"item": "courtesy", "comment": "the caller was quoting"}
    url = f"/api/calls/{calls['tom_call']}/disputes"
    assert api.client.post(url, json=dispute, headers=tom).status_code == 201
    answers["domain 409"] = api.client.post(url, json=dispute, headers=tom)
    expected = {"http 404": 404, "http 401": 401, "validation": 422, "domain 404": 404, "domain 409": 409}
    for name, resp in answers.items():
        assert resp.status_code == expected[name], (name, resp.text)
        body = resp.json()
        assert _shape(body) == {"error", "detail"}, (name, body)
        assert isinstance(body["detail"], str) and body["detail"], (name, body)
    assert answers["domain 409"].json()["error"] == "ReviewStateError"
    assert "already disputed" in answers["domain 409"].json()["detail"]
    assert answers["validation"].json()["fields"][0]["loc"] == ["query", "mine"]
    assert answers["http 401"].headers["www-authenticate"] == "Bearer"


def test_domain_errors_carry_no_http_codes_and_map_by_most_specific_type() -> None:
    for exc_type in (HotlineError, HotlineInputError, HotlineNotFoundError, HotlineStateError, ReviewError):
        assert not hasattr(exc_type("x"), "status")
    assert status_for(HotlineNotFoundError("x")) == 404
    assert status_for(HotlineInputError("x")) == 422
    assert status_for(HotlineStateError("x")) == 409
    assert status_for(ReviewError("x")) == 422
    assert status_for(ReviewStateError("x")) == 409
    assert status_for(KeyError("x")) is None
    assert all(not t.__module__.startswith(("fastapi", "starlette")) for t in STATUS_BY_TYPE)


def _routes(api: ApiEnv) -> list[APIRoute]:
    """Every API route of the app, inside included routers too (FastAPI 0.16x keeps an included router as
    one entry holding the `original_router`; its routes carry their full paths, the routers' prefixes)."""
    found: list[APIRoute] = []
    pending = list(api.client.app.routes)  # type: ignore[attr-defined]
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            pending.extend(included.routes)
    return found


def test_the_route_walk_sees_every_router(api: ApiEnv) -> None:
    """The checks below are only as good as this walk: it must reach the routes of included routers."""
    paths = {r.path for r in _routes(api)}
    assert {"/api/reviews/{review_id}", "/api/live/alerts", "/login", "/api/calls/{call_id}/audio"} <= paths
    assert len(paths) > 100


# Routes that answer bytes, CSV or an event stream, not JSON.
NOT_JSON = {
    "/api/calls/{call_id}/audio",
    "/api/calls/{call_id}/original/audio",
    "/api/appraisals/export.csv",
    "/api/hotline/stats/stream",
    "/api/live/calls/{key}/events",
    "/api/live/wall/events",
}


def test_every_json_route_declares_its_response_model(api: ApiEnv) -> None:
    untyped = [
        f"{sorted(r.methods or ())} {r.path}"
        for r in _routes(api)
        if r.path.startswith("/api/")  # the pages under / answer HTML
        and r.include_in_schema
        and r.path not in NOT_JSON
        and r.status_code != 204  # no body
        and r.response_model is None
    ]
    assert untyped == []
    spec = api.client.get("/openapi.json").json()
    review = spec["paths"]["/api/reviews/{review_id}"]["get"]["responses"]
    assert review["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReviewRead")
    assert review["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorRead")


def _needs_session(call: object, seen: set[object] | None = None) -> bool:
    """Whether `call` or any dependency it declares takes a database `Session`."""
    seen = seen if seen is not None else set()
    if call in seen:
        return False
    seen.add(call)
    for param in inspect.signature(call, eval_str=True).parameters.values():  # type: ignore[arg-type]
        annotation = param.annotation
        if get_origin(annotation) is Annotated:
            base, *metadata = get_args(annotation)
            if base is Session:
                return True
            deps = [getattr(m, "dependency", None) for m in metadata]
            if any(d is not None and _needs_session(d, seen) for d in deps):
                return True
        elif annotation is Session:
            return True
    return False


def test_no_async_route_does_blocking_database_work(api: ApiEnv) -> None:
    blocking = [
        r.path for r in _routes(api) if inspect.iscoroutinefunction(r.endpoint) and _needs_session(r.endpoint)
    ]
    assert blocking == []
