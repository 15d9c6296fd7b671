"""A real `callqa serve` (uvicorn) on a free localhost port, for tests about the running system."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from callqa.services.users import create_user
from models import Agent, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.fitted import provide_models

PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]

    def token(self, username: str) -> dict[str, str]:
        resp = httpx.post(f"{self.url}/api/auth/token", data={"username": username, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def page_client(self, username: str) -> httpx.Client:
        """A client logged in through the login form (cookies kept)."""
        client = httpx.Client(base_url=self.url, timeout=60)
        resp = client.post("/login", data={"username": username, "password": PASSWORD})
        assert resp.status_code in (200, 303), resp.text
        return client

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a server or worker on `data_dir` (`settings`: CALLQA_* names without the prefix),
    with the session's fitted English models in `data_dir/models` (`tests.fitted`)."""
    provide_models(data_dir)
    env = {
        **os.environ,
        "CALLQA_DATA_DIR": str(data_dir),
        "CALLQA_SECRET_KEY": secrets.token_urlsafe(32),
        "CALLQA_HOTLINE_KEY": "hotline-test-key",
        "PYTHONPATH": os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), os.getcwd()) if p),
    }
    env.update({f"CALLQA_{k.upper()}": v for k, v in settings.items()})
    return env


def seed_database(url: str) -> int:
    """Migrate `url` and create the users admin, qa and tom (an agent); returns tom's agent id."""
    upgrade_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        tom = Agent(name="Tom Baker")
        s.add(tom)
        s.flush()
        create_user(s, username="admin", password=PASSWORD, role="admin")
        create_user(s, username="qa", password=PASSWORD, role="qa")
        create_user(s, username="tom", password=PASSWORD, role="agent", agent_id=tom.id)
        s.commit()
        agent_id = tom.id
    engine.dispose()
    return agent_id


@contextmanager
def live_server(
    env: dict[str, str], log: Path, *, worker: bool = True, timeout_s: float = 120
) -> Iterator[LiveServer]:
    """Start `python -m callqa serve` with `env` and wait until it answers; stopped (SIGTERM, then
    SIGKILL) on exit. Its output goes to `log`."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "callqa",
        "serve",
        "--port",
        str(port),
        "--worker" if worker else "--no-worker",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", proc, log, env)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            assert proc.poll() is None, f"server exited early:\n{server.log_text()}"
            try:
                httpx.get(f"{server.url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"server did not answer:\n{server.log_text()}"
                time.sleep(0.2)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_for(predicate: object, timeout_s: float, step_s: float = 0.1) -> bool:
    """Poll `predicate()` until it is true or `timeout_s` passes; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = bool(predicate())  # type: ignore[operator]
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step_s)
