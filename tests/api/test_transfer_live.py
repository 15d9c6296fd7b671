"""Warm transfer on a real `callqa serve`: a first-line agent consults the second line while the caller holds
and other calls are live; the server restarts with the consult waiting and again with both agents talking;
the transfer is completed (one call record, the hand-over and its reason logged) and a second consult is
cancelled. The router and the database agree after every restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from models import CallConsult, HotlineCall, make_engine, make_session_factory
from tests.live import live_server, seed_database, server_env, wait_for


def test_a_warm_transfer_across_restarts_keeps_one_call_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    config = tmp_path / "hotline.yaml"
    config.write_text(
        "wrap_up_s: 0\nivr: {'1': {billing: 1}}\ntiers: {1: first line, 2: second line}\n"
        "tier_skills: {2: {billing: {billing: 4}}}\n"
    )
    env = server_env(data, routing_config_path=str(config), callback_offer="false")
    pbx_key = {"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}
    arrival = {"caller_number": "+44 20 7946 0001", "ivr_choice": "1"}

    with live_server(env, tmp_path / "first.log", worker=False) as server:
        pbx = httpx.Client(base_url=server.url, headers=pbx_key, timeout=60)
        admin = server.token("admin")
        assert pbx.put(f"/api/agents/{tom}/skills", json={"billing": 2}, headers=admin).status_code == 200
        made = pbx.post(
            "/api/agents", json={"name": "Eve", "skills": {"billing": 5}, "tier": 2}, headers=admin
        )
        assert made.status_code == 201, made.text
        eve = made.json()["id"]
        for agent in (eve, tom):
            pbx.put(f"/api/hotline/agents/{agent}/state", json={"status": "available"}).raise_for_status()
        held = pbx.post("/api/hotline/calls", json=arrival).json()
        assert held["agent_id"] == tom
        pbx.post(f"/api/hotline/calls/{held['call_id']}/answer").raise_for_status()
        busy = pbx.post("/api/hotline/calls", json={**arrival, "caller_number": "+2"}).json()
        assert busy["agent_id"] == eve
        pbx.post(f"/api/hotline/calls/{busy['call_id']}/answer").raise_for_status()
        queued = pbx.post("/api/hotline/calls", json={**arrival, "caller_number": "+3"}).json()
        assert queued["state"] == "waiting"

        ask = f"/api/hotline/calls/{held['call_id']}/consult"
        body = {"reason": "refund above the first line's limit"}
        assert httpx.post(f"{server.url}{ask}", json=body, headers=server.token("qa")).status_code == 404
        tom_token = server.token("tom")
        made = httpx.post(f"{server.url}{ask}", json=body, headers=tom_token, timeout=60)
        assert made.status_code == 201, made.text
        consult = made.json()
        # The second line's billing queue; Eve is busy, so the leg waits; the caller stays with Tom.
        assert (consult["state"], consult["skills"], consult["position"]) == ("waiting", {"billing": 4}, 1)
        assert pbx.post(ask, json=body).status_code == 409  # one consult at a time
        # An admin edits Tom's skills while his caller holds: the call and the consult are untouched.
        assert pbx.put(f"/api/agents/{tom}/skills", json={"billing": 3}, headers=admin).status_code == 200
        assert pbx.get(f"/api/hotline/calls/{held['call_id']}").json()["agent_id"] == tom

    with live_server(env, tmp_path / "second.log", worker=False) as server:
        pbx = httpx.Client(base_url=server.url, headers=pbx_key, timeout=60)
        path = f"/api/hotline/consults/{consult['consult_id']}"
        assert pbx.get(path).json()["state"] == "waiting"  # restored from the database
        pbx.post(f"/api/hotline/calls/{busy['call_id']}/end").raise_for_status()
        # Eve is free: the consult (with the held caller's arrival time) goes before the later caller.
        assert wait_for(lambda: pbx.get(path).json()["to_agent_id"] == eve, 10)
        assert pbx.get(f"/api/hotline/calls/{queued['call_id']}").json()["state"] == "waiting"
        assert pbx.post(f"{path}/answer").json()["state"] == "talking"
        tom_token = server.token("tom")
        mine = httpx.get(f"{server.url}/api/hotline/consults", headers=tom_token).json()
        assert [c["consult_id"] for c in mine] == [consult["consult_id"]]

    with live_server(env, tmp_path / "third.log", worker=False) as server:
        pbx = httpx.Client(base_url=server.url, headers=pbx_key, timeout=60)
        for agent in (tom, eve):  # both talk: restored busy, neither offered the waiting caller
            assert pbx.get(f"/api/hotline/agents/{agent}").json()["status"] == "on_call"
        tom_token = server.token("tom")
        done = httpx.post(f"{server.url}{path}/complete", headers=tom_token, timeout=60)
        assert done.status_code == 200, done.text
        assert (done.json()["agent_id"], done.json()["state"], done.json()["min_tier"]) == (eve, "talking", 2)
        # Tom dropped and takes the waiting caller; he consults again, Eve is busy, and he cancels.
        assert wait_for(
            lambda: pbx.get(f"/api/hotline/calls/{queued['call_id']}").json()["agent_id"] == tom, 10
        )
        pbx.post(f"/api/hotline/calls/{queued['call_id']}/answer").raise_for_status()
        second = pbx.post(
            f"/api/hotline/calls/{queued['call_id']}/consult", json={"reason": "just checking"}
        ).json()
        assert second["state"] == "waiting"
        cancel = f"/api/hotline/consults/{second['consult_id']}/cancel"
        assert httpx.post(f"{server.url}{cancel}", headers=server.token("qa")).status_code == 404
        assert httpx.post(f"{server.url}{cancel}", headers=tom_token).json()["state"] == "cancelled"
        assert pbx.post(f"{path}/complete").status_code == 409  # already completed
        for call in (held, queued):
            pbx.post(f"/api/hotline/calls/{call['call_id']}/end").raise_for_status()
        decisions = pbx.get(f"/api/hotline/calls/{held['call_id']}/decisions").json()
        assert [d["agent_id"] for d in decisions] == [tom, eve]  # one call record, its whole history
        [escalation] = pbx.get(f"/api/hotline/calls/{held['call_id']}/escalations").json()
        assert (escalation["from_agent_id"], escalation["to_tier"]) == (tom, 2)
        assert escalation["reason"] == body["reason"]
        center = pbx.get("/api/kpis", headers=server.token("admin")).json()
        assert (center["escalated"], center["answered"]) == (1, 3)

    factory = make_session_factory(make_engine(url))
    with factory() as s:
        states = {c.id: c.state for c in s.query(CallConsult)}
        assert states == {consult["consult_id"]: "completed", second["consult_id"]: "cancelled"}
        row = s.get(HotlineCall, held["call_id"])
        assert row is not None and (row.state, row.agent_id) == ("ended", eve)
