"""A real `callqa serve` restarted in the middle of the hotline's work restores what the database holds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx

from models import AgentPresence, make_engine, make_session_factory
from tests.live import live_server, seed_database, server_env, wait_for


def test_wrap_up_ends_at_its_stored_deadline_after_a_restart(tmp_path: Path) -> None:
    # Was: an agent in wrap-up when the server restarted stayed `wrap_up` for ever.
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    config = tmp_path / "hotline.yaml"
    config.write_text("wrap_up_s: 6\nivr: {'1': {billing: 1}}\n")
    env = server_env(data, routing_config_path=str(config))
    key = {"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}
    arrival = {"caller_number": "+44 20 7946 0000", "ivr_choice": "1"}
    with live_server(env, tmp_path / "first.log", worker=False) as server:
        client = httpx.Client(base_url=server.url, headers=key, timeout=60)
        skills = client.put(f"/api/agents/{tom}/skills", json={"billing": 2}, headers=server.token("admin"))
        assert skills.status_code == 200, skills.text
        assert client.put(f"/api/hotline/agents/{tom}/state", json={"status": "available"}).status_code == 200
        first = client.post("/api/hotline/calls", json=arrival).json()
        assert first["agent_id"] == tom
        client.post(f"/api/hotline/calls/{first['call_id']}/answer").raise_for_status()
        client.post(f"/api/hotline/calls/{first['call_id']}/end").raise_for_status()
        assert client.get(f"/api/hotline/agents/{tom}").json()["status"] == "wrap_up"
        waiting = client.post("/api/hotline/calls", json=arrival).json()
        assert waiting["state"] == "waiting"
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        presence = s.get(AgentPresence, tom)
        assert presence is not None and presence.status == "wrap_up" and presence.wrap_until is not None
        deadline = presence.wrap_until

    with live_server(env, tmp_path / "second.log", worker=False) as server:
        client = httpx.Client(base_url=server.url, headers=key, timeout=60)
        call = f"/api/hotline/calls/{waiting['call_id']}"
        assert wait_for(lambda: client.get(call).json()["agent_id"] == tom, 30), server.log_text()[-2000:]
        [decision] = client.get(f"{call}/decisions").json()
        assert datetime.fromisoformat(decision["at"]) >= deadline
        assert client.get(f"/api/hotline/agents/{tom}").json()["status"] == "on_call"
    with factory() as s:
        presence = s.get(AgentPresence, tom)
        assert presence is not None and presence.status == "on_call"  # the database agrees with the router
