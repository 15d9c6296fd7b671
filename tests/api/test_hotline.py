"""The hotline API end to end: a PBX drives arrivals, offers, answers, ends, abandons; roles enforced."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from models import AgentSkill, Skill
from tests.api.conftest import ApiEnv

KEY = {"X-Hotline-Key": "pbx-secret"}
CALLS = "/api/hotline/calls"


pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


@pytest.fixture
def pbx(api: ApiEnv) -> tuple[TestClient, ApiEnv]:
    """The app with a hotline key; both demo agents get billing skills (IVR choice 1) while it runs."""
    with api.factory() as s:
        billing = Skill(name="billing")
        s.add_all(
            [
                AgentSkill(agent_id=api.agent_id, skill=billing, proficiency=3),
                AgentSkill(agent_id=api.other_agent_id, skill=billing, proficiency=4),
            ]
        )
        s.commit()
    return api.client, api


def test_a_hotline_scenario_through_the_api(pbx: tuple[TestClient, ApiEnv]) -> None:
    client, api = pbx
    tom, ann = api.agent_id, api.other_agent_id
    assert (
        client.put(f"/api/hotline/agents/{tom}/state", json={"status": "available"}, headers=KEY).status_code
        == 200
    )
    first = client.post("/api/hotline/calls", json={"caller_number": "+4411", "ivr_choice": "1"}, headers=KEY)
    assert first.status_code == 201 and first.json()["agent_id"] == tom and first.json()["state"] == "offered"
    call1 = first.json()["call_id"]
    assert client.post(f"/api/hotline/calls/{call1}/answer", headers=KEY).json()["state"] == "talking"

    waiting = client.post(
        "/api/hotline/calls", json={"caller_number": "+4412", "ivr_choice": "1"}, headers=KEY
    )
    body = waiting.json()
    assert body["state"] == "waiting" and body["position"] == 1 and "estimated wait" in body["announcement"]
    call2 = body["call_id"]
    third = client.post(
        "/api/hotline/calls", json={"caller_number": "+4413", "skills": {"billing": 1}}, headers=KEY
    )
    call3 = third.json()["call_id"]
    assert client.post(f"/api/hotline/calls/{call3}/abandon", headers=KEY).json()["state"] == "abandoned"

    # Ann logs in and makes herself available with her own token: she gets the waiting call.
    ann_token = api.token("ann")
    resp = client.put(f"/api/hotline/agents/{ann}/state", json={"status": "available"}, headers=ann_token)
    assert resp.status_code == 200
    assert client.get(f"/api/hotline/calls/{call2}", headers=KEY).json()["agent_id"] == ann
    decisions = client.get(f"/api/hotline/calls/{call2}/decisions", headers=KEY).json()
    assert decisions[0]["agent_id"] == ann
    assert decisions[0]["reason"] == f"longest idle: agent {ann} (idle 0 s), best of 1; only candidate"

    assert client.post(f"/api/hotline/calls/{call1}/end", headers=KEY).json()["state"] == "ended"
    stats = client.get("/api/hotline/stats", headers=KEY).json()
    assert stats["waiting"] == 0 and stats["abandoned_24h"] == 1 and stats["agents"]["wrap_up"] == 1
    # Errors: wrong state, unknown call, unknown IVR choice, bad payload.
    assert client.post(f"/api/hotline/calls/{call1}/answer", headers=KEY).status_code == 409
    assert client.get("/api/hotline/calls/9999", headers=KEY).status_code == 404
    bad = client.post("/api/hotline/calls", json={"caller_number": "+1", "ivr_choice": "7"}, headers=KEY)
    assert bad.status_code == 422 and "unknown IVR choice" in bad.text
    assert client.post("/api/hotline/calls", json={"caller_number": ""}, headers=KEY).status_code == 422


def test_stats_stream_as_server_sent_events(pbx: tuple[TestClient, ApiEnv]) -> None:
    client, _ = pbx
    with client.stream("GET", "/api/hotline/stats/stream?max_events=2&interval_s=0.1", headers=KEY) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [line for line in resp.iter_lines() if line.startswith("data: ")]
    assert len(events) == 2 and json.loads(events[0][6:])["waiting"] == 0


def test_who_may_drive_the_hotline(pbx: tuple[TestClient, ApiEnv]) -> None:
    client, api = pbx
    arrival = {"caller_number": "+1", "ivr_choice": "1"}
    assert client.post("/api/hotline/calls", json=arrival).status_code == 401
    assert (
        client.post("/api/hotline/calls", json=arrival, headers={"X-Hotline-Key": "guess"}).status_code == 401
    )
    # a key with bytes outside ASCII (a header is read as Latin-1) is a wrong key, not a server error
    latin = {b"X-Hotline-Key": "clé".encode("latin-1")}
    assert client.post("/api/hotline/calls", json=arrival, headers=latin).status_code == 401
    for user in ("qa", "tom"):
        assert client.post("/api/hotline/calls", json=arrival, headers=api.token(user)).status_code == 403
    assert client.post("/api/hotline/calls", json=arrival, headers=api.token("admin")).status_code == 201
    tom = api.token("tom")
    assert client.get(f"/api/hotline/agents/{api.agent_id}", headers=tom).status_code == 200
    other = client.put(
        f"/api/hotline/agents/{api.other_agent_id}/state", json={"status": "break"}, headers=tom
    )
    assert other.status_code == 404  # another agent's state is not theirs to see or change
    assert client.get("/api/hotline/stats", headers=tom).status_code == 403
    assert client.get("/api/hotline/stats", headers=api.token("qa")).status_code == 200
