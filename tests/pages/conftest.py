"""A live server (uvicorn) on a real database holding a call the real pipeline processed, for pages in a
real headless Chromium (the `browser` fixture, tests/browser.py). Screenshots: test-output/screenshots/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.ingest import ingest_recording
from callqa.services.processing import flag_severity, process_call
from callqa.services.users import create_user, update_agent
from callqa.settings import Settings
from models import Agent, TranscriptSegment, make_engine, make_session_factory
from models.migrate import upgrade_database
from routing.teams import create_team
from scoring.review import flag_call
from tests.conftest import DEV_SET, create_scored_call, make_analysis

PASSWORD = "browser-test-pw"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
EXTRA_CALLS = 60
"""Synthetic flagged calls of Ann's beside the two real ones: every tenth mentions a warranty."""
EXTRA_START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class Site:
    url: str
    call_id: int
    other_call_id: int
    agent_id: int
    db_url: str
    """The site's database, for a test that adds calls the pages then work on."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    settings = Settings(
        data_dir=root / "data",
        embedded_worker=False,
        company="Acme Telecom",
        review_sample_rate=0.0,
    )
    settings.data_dir.mkdir(parents=True)
    upgrade_database(settings.db_url)
    factory = make_session_factory(make_engine(settings.db_url))
    analyzer = CallAnalyzer(settings)
    with factory() as s:
        priya, ann = Agent(name="Priya Shah"), Agent(name="Ann Lee")
        s.add_all([priya, ann])
        s.flush()
        create_user(s, username="admin", password=PASSWORD, role="admin")
        create_user(s, username="qa", password=PASSWORD, role="qa")
        create_user(s, username="priya", password=PASSWORD, role="agent", agent_id=priya.id)
        # Priya's team lead: works Priya's reviews and disputes, never sees Ann's.
        team = create_team(s, "Billing East")
        update_agent(s, priya, active=True, team_id=team.id)
        create_user(s, username="sam", password=PASSWORD, role="supervisor", team_id=team.id)
        ids = []
        # Real calls through the real pipeline: "That's not my problem." (blame shifting) and an empathy one.
        for agent, name in ((priya, "public-11-029"), (ann, "public-11-004")):
            call = ingest_recording(
                s,
                source=DEV_SET / "calls" / f"{name}.wav",
                recordings_dir=settings.recordings_dir,
                agent_id=agent.id,
            )
            process_call(s, call, analyzer)
            call.status = "done"
            ids.append(call.id)
        # A floor's worth of Ann's calls, stored as the pipeline stores them and flagged (UNCERTAIN
        # greeting), so the queue has pages, a date range and words to search for.
        weights = flag_severity(settings)
        for i in range(EXTRA_CALLS):
            extra = create_scored_call(
                s,
                ann.id,
                {"greeting": False, "closing": True, "courtesy": True, "empathy": None, "no_dead_air": True},
                at=EXTRA_START + timedelta(days=i % 30),
                analysis=make_analysis({"greeting": "uncertain"}),
            )
            s.add(
                TranscriptSegment(
                    call_id=extra.id,
                    speaker="caller",
                    start_s=0.0,
                    end_s=2.0,
                    text="my warranty claim was refused" if i % 10 == 0 else "my bill is too high",
                )
            )
            flag_call(s, extra, weights=weights, sample_per_week=0, sample_rate=0.0)
        s.commit()
        agent_id = priya.id
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, session_factory=factory), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield Site(f"http://127.0.0.1:{port}", ids[0], ids[1], agent_id, settings.db_url)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


def login(page: object, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
