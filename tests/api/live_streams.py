"""Live assist through a real `callqa serve`, shared by tests/api/test_live_*.py: the server (started once
per session by the `assist_server` fixture in tests/api/conftest.py), a PBX streaming legs as raw 8 kHz PCM
frames over real websockets or AudioSocket TCP, and readers of the server-sent events."""

from __future__ import annotations

import base64
import json
import socket
import threading
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bench.live_latency import COMPANY
from callqa.services.users import create_user
from models import Agent, Team, TeamMember, make_engine, make_session_factory
from tests.live import PASSWORD, LiveServer, free_port, live_server, seed_database, server_env

FRAME = 160  # samples: 20 ms at 8 kHz, as AudioSocket sends
AssistServer = tuple[LiveServer, int, int]
"""(server, tom's agent id, ann's agent id)."""


def assist_env(tmp: Path) -> tuple[dict[str, str], int, int]:
    """The environment of a server with live assist on a new database under `tmp` (whisper tiny.en, at most
    2 legs streaming, frames ≤ 640 bytes, audio allowed 60 s ahead of the clock so a test need not wait a
    30 s call's length); (environment, tom's agent id, ann's). Supervisor sue leads tom's team (Cards),
    sam ann's (Loans)."""
    data = tmp / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        ann = Agent(name="Ann Lee")
        s.add(ann)
        s.flush()
        create_user(s, username="ann", password=PASSWORD, role="agent", agent_id=ann.id)
        for team_name, agent_id, supervisor in (("Cards", tom, "sue"), ("Loans", ann.id, "sam")):
            team = Team(name=team_name)
            s.add(team)
            s.flush()
            s.add(TeamMember(agent_id=agent_id, team_id=team.id))
            create_user(s, username=supervisor, password=PASSWORD, role="supervisor", team_id=team.id)
        s.commit()
        ann_id = ann.id
    engine.dispose()
    env = server_env(
        data,
        engine="whisper",
        language="en",
        company=COMPANY,
        live_max_streams="2",
        live_max_frame_bytes="640",
        live_burst_s="60",
        live_audiosocket_port=str(free_port()),
        # one reading per run: the fallback's sampling made tiny.en hear the unsaid name now and then
        whisper_temperature_fallback="false",
    )
    return env, tom, ann_id


@contextmanager
def assist_server(tmp: Path) -> Iterator[AssistServer]:
    """A server on `assist_env(tmp)`: (server, tom's agent id, ann's)."""
    env, tom, ann = assist_env(tmp)
    with live_server(env, tmp / "server.log", worker=False) as live:
        yield live, tom, ann


def ws_url(server: LiveServer, key: str, leg: str, agent_id: int) -> str:
    return f"{server.url.replace('http', 'ws')}/api/live/calls/{key}/legs/{leg}?agent_id={agent_id}"


def pbx(server: LiveServer) -> dict[str, str]:
    return {"X-Hotline-Key": server.env["CALLQA_HOTLINE_KEY"]}


def pcm(samples: np.ndarray) -> bytes:
    """16-bit little-endian PCM of float samples in -1..1."""
    pcm: bytes = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm


def refused(server: LiveServer, url: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers=headers, open_timeout=60).close()
    return refused.value.response.status_code


def sse(server: LiveServer, path: str, username: str) -> Generator[tuple[str, Any]]:
    """The (event, data) pairs of a server-sent event stream, as they come."""
    with httpx.stream("GET", f"{server.url}{path}", headers=server.token(username), timeout=120) as resp:
        assert resp.status_code == 200, resp.read()
        kind = ""
        for line in resp.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield kind, json.loads(line.removeprefix("data: "))


def first(server: LiveServer, path: str, username: str) -> tuple[str, Any]:
    """The first event of a server-sent event stream (the stream is closed after it)."""
    stream = sse(server, path, username)
    try:
        return next(stream)
    finally:
        stream.close()


def opens(server: LiveServer, path: str, username: str) -> int:
    """The status a server-sent event stream answers with (closed without reading it)."""
    with httpx.stream("GET", f"{server.url}{path}", headers=server.token(username), timeout=120) as resp:
        return resp.status_code


def events(
    server: LiveServer, key: str, username: str, into: list[dict[str, Any]], ready: threading.Event
) -> None:
    """Append the `update` events of live call `key`, as `username` sees them, to `into` until the call
    ends; `ready` is set once the stream is open."""
    with httpx.stream(
        "GET", f"{server.url}/api/live/calls/{key}/events", headers=server.token(username), timeout=600
    ) as resp:
        assert resp.status_code == 200, resp.read()
        ready.set()
        kind = ""
        for line in resp.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "update":
                into.append(json.loads(line.removeprefix("data: ")))
            elif kind == "end":
                return


def stream(ws: ClientConnection, samples: np.ndarray) -> None:
    """Send `samples` (float, 8 kHz) as 20 ms PCM frames, as fast as the socket takes them."""
    for begin in range(0, samples.size, FRAME):
        ws.send(pcm(samples[begin : begin + FRAME]))


def login(browser: Any, server: LiveServer, username: str) -> Any:
    """A new page of `browser` logged in as `username`."""
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"jambonz:{password}".encode()).decode()}


def audiosocket(server: LiveServer, stream: uuid.UUID) -> socket.socket:
    """A TCP connection to the server's AudioSocket listener that has sent `stream`'s UUID."""
    sock = socket.create_connection(
        ("127.0.0.1", int(server.env["CALLQA_LIVE_AUDIOSOCKET_PORT"])), timeout=60
    )
    sock.sendall(bytes([0x01, 0, 16]) + stream.bytes)
    return sock


def audio_message(samples: np.ndarray) -> bytes:
    """One AudioSocket audio message (kind 0x10, big-endian length, PCM)."""
    frame = pcm(samples)
    return bytes([0x10]) + len(frame).to_bytes(2, "big") + frame


def announce(server: LiveServer, stream: uuid.UUID, headers: dict[str, str], **body: object) -> int:
    url = f"{server.url}/api/live/audiosocket/{stream}"
    return httpx.put(url, json=body, headers=headers, timeout=60).status_code


def live_keys(server: LiveServer) -> list[tuple[str, list[str]]]:
    listed = httpx.get(f"{server.url}/api/live/calls", headers=server.token("qa")).json()
    return [(c["key"], c["legs"]) for c in listed]
