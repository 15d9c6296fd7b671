"""Callbacks through the API: agents and supervisors list and work them (overdue flagged, roles
enforced); a caller's hotline request records one due within the configured days; a running server's
hotline offers a ready callback to a free agent like a call."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import ApiEnv, LiveServer, http

KEY = {"X-Hotline-Key": "pbx-secret"}

pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret", callback_due_days=2.5)


def test_agents_and_supervisors_work_the_callback_list(api: ApiEnv) -> None:
    client, tom, ann = api.client, api.agent_id, api.other_agent_id
    admin, agent = api.token("admin"), api.token("tom")
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    hers = client.post("/api/callbacks", json={"number": "+1 555 0400", "agent_id": ann}, headers=admin)
    anyone = client.post("/api/callbacks", json={"number": "+1 555 0401", "note": "billing"}, headers=admin)
    late = client.post("/api/callbacks", json={"number": "+1 555 0402", "due_at": past}, headers=admin)
    assert hers.status_code == anyone.status_code == late.status_code == 201, hers.text
    due = datetime.fromisoformat(anyone.json()["due_at"])
    assert abs((due - datetime.now(UTC)) - timedelta(days=2.5)) < timedelta(
        minutes=1
    )  # CALLQA_CALLBACK_DUE_DAYS
    assert late.json()["overdue"] and not anyone.json()["overdue"]

    # Tom sees the unassigned ones (the overdue first), not Ann's; hers answers 404 as a missing one.
    mine = client.get("/api/callbacks", headers=agent).json()
    assert [c["id"] for c in mine] == [late.json()["id"], anyone.json()["id"]]
    assert client.get(f"/api/callbacks/{hers.json()['id']}", headers=agent).status_code == 404
    assert client.get("/api/callbacks", params={"agent_id": ann}, headers=agent).status_code == 404

    # He takes one (not for Ann), tries, nobody answers: still open, one attempt, his.
    cb = anyone.json()["id"]
    assert (
        client.post(f"/api/callbacks/{cb}/assign", json={"agent_id": ann}, headers=agent).status_code == 403
    )
    taken = client.post(f"/api/callbacks/{cb}/assign", json={"agent_id": tom}, headers=agent)
    assert taken.status_code == 200 and taken.json()["agent_id"] == tom
    tried = client.post(f"/api/callbacks/{cb}/attempts", json={"outcome": "no_answer"}, headers=agent).json()
    assert (tried["status"], tried["attempts"], tried["last_attempt"]["agent_id"]) == ("open", 1, tom)
    reached = client.post(f"/api/callbacks/{cb}/attempts", json={"outcome": "reached"}, headers=agent).json()
    assert (reached["status"], reached["outcome"]) == ("done", "reached")
    again = client.post(f"/api/callbacks/{cb}/attempts", json={"outcome": "reached"}, headers=agent)
    assert again.status_code == 409
    bad = client.post(f"/api/callbacks/{cb}/attempts", json={"outcome": "maybe"}, headers=agent)
    assert bad.status_code == 422

    # Supervisors: everything, the overdue only, the finished ones.
    qa = api.token("qa")
    assert len(client.get("/api/callbacks", headers=qa).json()) == 2
    overdue = client.get("/api/callbacks", params={"overdue": True}, headers=qa).json()
    assert [c["id"] for c in overdue] == [late.json()["id"]]
    done = client.get("/api/callbacks", params={"state": "done"}, headers=qa).json()
    assert [c["id"] for c in done] == [cb]
    assert client.get("/api/callbacks").status_code == 401


def test_the_callbacks_page_flags_overdue_and_records_outcomes(api: ApiEnv) -> None:
    client = api.client
    admin = api.token("admin")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    late = client.post("/api/callbacks", json={"number": "+1 555 0600", "due_at": past}, headers=admin).json()
    login = {"username": "tom", "password": "correct-horse-battery"}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    page = client.get("/callbacks")
    assert page.status_code == 200 and "+1 555 0600" in page.text
    assert f'<tr data-callback="{late["id"]}" class="overdue">' in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.post(f"/callbacks/{late['id']}/take", data={"csrf": "forged"}).status_code == 403
    taken = client.post(f"/callbacks/{late['id']}/take", data={"csrf": token}, follow_redirects=False)
    assert taken.status_code == 303
    tried = client.post(
        f"/callbacks/{late['id']}/attempt", data={"csrf": token, "outcome": "reached", "note": "sorted"}
    )
    assert tried.status_code == 200 and "reached (done)" in tried.text
    view = client.get(f"/api/callbacks/{late['id']}", headers=admin).json()
    assert (view["status"], view["agent_id"], view["last_attempt"]["note"]) == (
        "done",
        api.agent_id,
        "sorted",
    )


def test_a_callers_request_on_the_hotline_is_due_in_the_configured_days(api: ApiEnv) -> None:
    client = api.client
    arrival = client.post(
        "/api/hotline/calls", json={"caller_number": "+44 20 7946 0001", "skills": {}}, headers=KEY
    )
    assert arrival.status_code == 201 and arrival.json()["state"] == "waiting"  # nobody available
    call = arrival.json()["call_id"]
    asked = client.post(
        f"/api/hotline/calls/{call}/callback", json={"number": "+44 7700 900002"}, headers=KEY
    )
    assert asked.status_code == 200 and asked.json()["callback"]
    [row] = client.get("/api/callbacks", headers=api.token("qa")).json()
    assert row["number"] == "+44 7700 900002" and row["hotline_call_id"] == call
    due = datetime.fromisoformat(row["due_at"]) - datetime.fromisoformat(row["requested_at"])
    assert due == timedelta(days=2.5)


def test_the_running_server_offers_a_ready_callback_to_a_free_agent(live: LiveServer) -> None:
    url, tom = live.url, live.env.agent_id
    admin = live.token("admin")
    created = http.post(f"{url}/api/callbacks", json={"number": "+1 555 0500"}, headers=admin)
    assert created.status_code == 201, created.text
    cb = created.json()["id"]
    # Nobody is free: the server's offering thread leaves it alone.
    time.sleep(3)
    assert http.get(f"{url}/api/callbacks/{cb}", headers=admin).json()["offer_call_id"] is None
    state = http.put(f"{url}/api/hotline/agents/{tom}/state", json={"status": "available"}, headers=KEY)
    assert state.status_code == 200
    deadline = time.monotonic() + 30
    view = http.get(f"{url}/api/callbacks/{cb}", headers=admin).json()
    while view["offered_to"] != tom:
        assert time.monotonic() < deadline, view
        time.sleep(0.5)
        view = http.get(f"{url}/api/callbacks/{cb}", headers=admin).json()
    call = http.get(f"{url}/api/hotline/calls/{view['offer_call_id']}", headers=KEY).json()
    assert (call["state"], call["agent_id"], call["callback"]) == ("offered", tom, True)
    # Tom picks up the offer, dials, reaches the customer and says so; the PBX ends the call.
    agent = live.token("tom")
    assert [c["id"] for c in http.get(f"{url}/api/callbacks", headers=agent).json()] == [cb]
    http.post(f"{url}/api/hotline/calls/{call['call_id']}/answer", headers=KEY).raise_for_status()
    done = http.post(f"{url}/api/callbacks/{cb}/attempts", json={"outcome": "reached"}, headers=agent).json()
    assert (done["status"], done["outcome"], done["agent_id"]) == ("done", "reached", tom)
    http.post(f"{url}/api/hotline/calls/{call['call_id']}/end", headers=KEY).raise_for_status()
    # The offer was an outbound task, not a caller: the queue KPIs leave it out.
    assert http.get(f"{url}/api/kpis", headers=admin).json()["offered"] == 0
