"""Escalation on a real `callqa serve`: a first-line agent hands a live call on to the second line while
other calls are live; the server restarts with the escalated call waiting, and the hotline state (its
tier, its place ahead of later callers, its history) comes back from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from models import CallEscalation, HotlineCall, make_engine, make_session_factory
from tests.live import live_server, seed_database, server_env, wait_for


def test_an_escalation_survives_a_restart_and_reaches_the_next_tier_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    config = tmp_path / "hotline.yaml"
    config.write_text("wrap_up_s: 0\nivr: {'1': {billing: 1}}\ntiers: {1: first line, 2: second line}\n")
    env = server_env(data, routing_config_path=str(config), callback_offer="false")
    key = {"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}
    arrival = {"caller_number": "+44 20 7946 0000", "ivr_choice": "1"}

    with live_server(env, tmp_path / "first.log", worker=False) as server:
        pbx = httpx.Client(base_url=server.url, headers=key, timeout=60)
        admin = server.token("admin")
        assert pbx.put(f"/api/agents/{tom}/skills", json={"billing": 2}, headers=admin).status_code == 200
        made = pbx.post(
            "/api/agents", json={"name": "Eve Expert", "skills": {"billing": 5}, "tier": 2}, headers=admin
        )
        assert made.status_code == 201, made.text
        eve = made.json()["id"]
        for agent in (eve, tom):  # Eve free longest: the first line is still offered calls first
            pbx.put(f"/api/hotline/agents/{agent}/state", json={"status": "available"}).raise_for_status()
        first = pbx.post("/api/hotline/calls", json=arrival).json()
        assert first["agent_id"] == tom, first
        pbx.post(f"/api/hotline/calls/{first['call_id']}/answer").raise_for_status()
        second = pbx.post("/api/hotline/calls", json=arrival).json()
        assert second["agent_id"] == eve
        pbx.post(f"/api/hotline/calls/{second['call_id']}/answer").raise_for_status()
        third = pbx.post("/api/hotline/calls", json=arrival).json()
        assert third["state"] == "waiting"

        escalate = f"/api/hotline/calls/{first['call_id']}/escalate"
        body = {"reason": "refund above the first line's limit", "skills": {"billing": 4}}
        # Only the agent on the call (or the PBX, an admin) may escalate it; QA may not.
        tom_token = server.token("tom")
        assert httpx.post(f"{server.url}{escalate}", json=body, headers=server.token("qa")).status_code == 404
        assert pbx.post(escalate, json={**body, "to_tier": 3}).status_code == 422  # not configured
        view = httpx.post(f"{server.url}{escalate}", json=body, headers=tom_token, timeout=60)
        assert view.status_code == 200, view.text
        assert view.json()["state"] == "waiting" and view.json()["min_tier"] == 2
        assert view.json()["position"] == 1 and view.json()["skills"] == {"billing": 4}
        # Tom, free again, takes the waiting first-line call, never the escalated one.
        assert pbx.get(f"/api/hotline/calls/{third['call_id']}").json()["agent_id"] == tom
        assert pbx.post(escalate, json=body).status_code == 409  # not talking any more

    factory = make_session_factory(make_engine(url))
    with factory() as s:
        row = s.get(HotlineCall, first["call_id"])
        assert row is not None and (row.state, row.min_tier, row.agent_id) == ("waiting", 2, None)
        assert row.answered_at is not None  # the first answer is kept (speed of answer)
        assert s.query(CallEscalation).count() == 1

    with live_server(env, tmp_path / "second.log", worker=False) as server:
        pbx = httpx.Client(base_url=server.url, headers=key, timeout=60)
        call = f"/api/hotline/calls/{first['call_id']}"
        restored: dict[str, Any] = pbx.get(call).json()
        assert (restored["state"], restored["min_tier"], restored["position"]) == ("waiting", 2, 1)
        # Another caller arrives after and waits (Tom is busy); the first caller's own repeat call would
        # start at the second line (routing/escalations.starting_tier).
        other = {**arrival, "caller_number": "+44 20 7946 0999"}
        later = pbx.post("/api/hotline/calls", json=other).json()
        assert (later["state"], later["min_tier"]) == ("waiting", 1)
        repeat = pbx.post("/api/hotline/calls", json=arrival).json()
        assert (repeat["state"], repeat["min_tier"]) == ("waiting", 2)
        pbx.post(f"/api/hotline/calls/{third['call_id']}/answer").raise_for_status()
        pbx.post(f"/api/hotline/calls/{third['call_id']}/end").raise_for_status()
        # Tom is free: he takes the later first-line call; the escalated one still waits for tier 2.
        assert pbx.get(f"/api/hotline/calls/{later['call_id']}").json()["agent_id"] == tom
        pbx.post(f"/api/hotline/calls/{later['call_id']}/answer").raise_for_status()
        assert pbx.get(call).json()["state"] == "waiting"
        pbx.post(f"/api/hotline/calls/{second['call_id']}/end").raise_for_status()
        assert wait_for(lambda: pbx.get(call).json()["agent_id"] == eve, 10)
        pbx.post(f"{call}/answer").raise_for_status()
        pbx.post(f"{call}/end").raise_for_status()
        pbx.post(f"/api/hotline/calls/{repeat['call_id']}/abandon").raise_for_status()
        decisions = pbx.get(f"{call}/decisions").json()
        assert [d["agent_id"] for d in decisions] == [tom, eve]  # one call record, its whole history
        [escalation] = pbx.get(f"{call}/escalations").json()
        assert (escalation["from_agent_id"], escalation["from_tier"], escalation["to_tier"]) == (tom, 1, 2)
        assert escalation["skills_before"] == {"billing": 1} and escalation["reason"].startswith("refund")
        admin = server.token("admin")
        center = pbx.get("/api/kpis", headers=admin).json()
        assert (center["escalated"], center["answered"], center["escalation_rate"]) == (1, 4, 0.25)
        toms = pbx.get("/api/kpis", params={"agent_id": tom}, headers=admin).json()
        # Tom answered three calls: two are his (third, later), one he escalated.
        assert (toms["answered"], toms["escalated"], round(toms["escalation_rate"], 4)) == (2, 1, 0.3333)
        eves = pbx.get("/api/kpis", params={"agent_id": eve}, headers=admin).json()
        assert eves["escalated"] == 0 and eves["escalation_rate"] == 0.0
