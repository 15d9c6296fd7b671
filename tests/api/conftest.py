"""API fixtures: an app on its own SQLite file, users of every role, and the same app served by a real
uvicorn on localhost (`live`) for running-system behaviour."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from callqa.services.users import create_user
from callqa.settings import Settings
from models import Agent, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.api.live_streams import AssistServer, assist_server
from tests.conftest import _BACKENDS, fresh_database, reset_postgres

PASSWORD = "correct-horse-battery"


@dataclass
class ApiEnv:
    client: TestClient
    settings: Settings
    factory: sessionmaker[Session]
    agent_id: int
    other_agent_id: int

    def token(self, username: str) -> dict[str, str]:
        resp = self.client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}


@pytest.fixture(params=_BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ApiEnv]:
    """The app on a freshly migrated database: a SQLite file, and the test PostgreSQL (left empty and
    migrated afterwards for the other tests). A test's `api_settings` marker adds settings (one app per
    database: it owns the hotline router)."""
    url = fresh_database(request.param, tmp_path)
    marker = request.node.get_closest_marker("api_settings")
    overrides = dict(marker.kwargs) if marker else {}
    routing_yaml = overrides.pop("routing_yaml", None)
    if routing_yaml is not None:
        overrides["routing_config_path"] = tmp_path / "hotline.yaml"
        overrides["routing_config_path"].write_text(routing_yaml)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        embedded_worker=False,
        max_upload_mb=2,
        **overrides,
    )
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        tom, ann = Agent(name="Tom Baker"), Agent(name="Ann Lee")
        s.add_all([tom, ann])
        s.flush()
        create_user(s, username="admin", password=PASSWORD, role="admin")
        create_user(s, username="qa", password=PASSWORD, role="qa")
        create_user(s, username="tom", password=PASSWORD, role="agent", agent_id=tom.id)
        create_user(s, username="ann", password=PASSWORD, role="agent", agent_id=ann.id)
        s.commit()
        ids = (tom.id, ann.id)
    app = create_app(settings, session_factory=factory)
    with TestClient(app) as client:
        yield ApiEnv(client, settings, factory, *ids)
    engine.dispose()
    if url.startswith("postgresql"):
        reset_postgres(url)
        upgrade_database(url)


HTTP_TIMEOUT_S = 120.0
"""Generous: the live-server tests hash passwords and share two cores with other work."""

http = httpx.Client(timeout=HTTP_TIMEOUT_S)
"""The client the live-server tests use for one-off requests."""


@dataclass
class LiveServer:
    """A real uvicorn server on localhost serving the `api` fixture's app and database."""

    url: str
    env: ApiEnv

    def token(self, username: str) -> dict[str, str]:
        resp = http.post(f"{self.url}/api/auth/token", data={"username": username, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn on a free localhost port for the duration of the context; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    # log_config=None: uvicorn's loggers propagate to the root logger, so tests can read every log line.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live(api: ApiEnv) -> Iterator[LiveServer]:
    for url in serve(api.client.app):  # type: ignore[arg-type]
        yield LiveServer(url, api)


@pytest.fixture(scope="session")
def assist_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistServer]:
    """One `callqa serve` with live assist for every live-assist test (tests/api/live_streams.py)."""
    with assist_server(tmp_path_factory.mktemp("live")) as started:
        yield started
