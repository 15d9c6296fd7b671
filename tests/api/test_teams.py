"""Teams and team KPIs through the API and the pages; the overview shows the center's KPIs and the overdue
callbacks."""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD, ApiEnv

KEY = {"X-Hotline-Key": "pbx-secret"}

pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


def _answered_call(api: ApiEnv, agent_id: int) -> int:
    """A call offered to `agent_id` (the only available agent), answered and ended."""
    client = api.client
    client.put(f"/api/hotline/agents/{agent_id}/state", json={"status": "available"}, headers=KEY)
    call = client.post("/api/hotline/calls", json={"caller_number": "+1 555 0900", "skills": {}}, headers=KEY)
    assert call.json()["agent_id"] == agent_id, call.text
    call_id = int(call.json()["call_id"])
    client.post(f"/api/hotline/calls/{call_id}/answer", headers=KEY).raise_for_status()
    client.post(f"/api/hotline/calls/{call_id}/end", headers=KEY).raise_for_status()
    client.put(f"/api/hotline/agents/{agent_id}/state", json={"status": "offline"}, headers=KEY)
    return call_id


def test_team_kpis_add_up_their_members(api: ApiEnv) -> None:
    client, tom, ann = api.client, api.agent_id, api.other_agent_id
    admin, qa = api.token("admin"), api.token("qa")
    assert client.post("/api/teams", json={"name": "Billing"}, headers=qa).status_code == 403
    billing = client.post("/api/teams", json={"name": "Billing"}, headers=admin)
    assert billing.status_code == 201, billing.text
    assert client.post("/api/teams", json={"name": "Billing"}, headers=admin).status_code == 409
    team = billing.json()["id"]
    members = client.put(f"/api/teams/{team}/members", json={"agent_ids": [tom]}, headers=admin)
    assert members.json()["agent_ids"] == [tom]
    assert (
        client.put(f"/api/teams/{team}/members", json={"agent_ids": [999]}, headers=admin).status_code == 422
    )
    assert client.put("/api/teams/999/members", json={"agent_ids": []}, headers=admin).status_code == 404
    assert client.get("/api/teams", headers=qa).json() == [
        {"id": team, "name": "Billing", "agent_ids": [tom]}
    ]

    complained = _answered_call(api, tom)
    _answered_call(api, tom)
    _answered_call(api, ann)
    said = {"resolved": True, "complaint": True}
    client.put(f"/api/hotline/calls/{complained}/disposition", json=said, headers=admin).raise_for_status()

    figures = client.get("/api/kpis", params={"team_id": team}, headers=qa).json()
    assert (figures["team_id"], figures["answered"], figures["complaints"]) == (team, 2, 1)
    assert client.get("/api/kpis", params={"team_id": 999}, headers=qa).status_code == 404
    assert client.get("/api/kpis", params={"team_id": team}, headers=api.token("tom")).status_code == 404
    both = client.get("/api/kpis", params={"team_id": team, "agent_id": tom}, headers=qa)
    assert both.status_code == 422
    assert client.get("/api/kpis", headers=qa).json()["answered"] == 3

    # Overdue callbacks and the center's KPIs on the overview; team rows on the KPIs page.
    overdue = {"number": "+1 555 0901", "due_at": "2026-01-01T09:00:00+00:00"}
    client.post("/api/callbacks", json=overdue, headers=qa).raise_for_status()
    assert client.post("/login", data={"username": "qa", "password": PASSWORD}, follow_redirects=False)
    page = client.get("/overview").text
    cards = page.split('id="callbacks-overdue"')[1].split("</a>")[0]
    assert "Callbacks overdue" in cards and "<strong>1</strong>" in cards
    kpis = page.split('id="center-kpis"')[1].split("</div>\n</div>")[0]
    assert "<strong>3 / 3</strong>" in kpis and "<strong>33 %</strong>" in kpis  # answered; complaints
    assert "Team Billing" in client.get("/kpis").text
