"""Server-rendered pages (Jinja2) for QA staff and agents, one module per page group.

Server rendering keeps the product one Python service with no front-end build, works offline, and lets
every page reuse the JSON API's role checks (`api/deps.py`). The few interactive bits (click a word to seek
the audio) are a small static script; charts are inline SVG (`charts.py`). Forms carry a CSRF token; the
session cookie is HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    admin,
    agents,
    appraisals,
    auth,
    calibration,
    calibration_sets,
    callbacks,
    calls,
    desk,
    exports,
    kpis,
    live,
    people,
    queue,
    sampling,
    scorecards,
    workflow,
)

router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    queue,
    exports,
    calls,
    agents,
    desk,
    admin,
    people,
    calibration,
    calibration_sets,
    sampling,
    scorecards,
    callbacks,
    kpis,
    appraisals,
    live,
    workflow,
):
    router.include_router(_module.router)
