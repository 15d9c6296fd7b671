"""An agent hands their live call on from their own page: consult the second line while the caller holds,
then complete the transfer (the same hotline operations as the JSON routes); nobody else's call."""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD, ApiEnv

KEY = {"X-Hotline-Key": "pbx-secret"}

pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_an_agent_consults_and_completes_a_transfer_from_their_page(api: ApiEnv) -> None:
    client, tom, ann = api.client, api.agent_id, api.other_agent_id
    profile = {"languages": ["en"], "tier": 2}
    assert (
        client.put(f"/api/agents/{ann}/routing", json=profile, headers=api.token("admin")).status_code == 200
    )
    client.put(
        f"/api/hotline/agents/{tom}/state", json={"status": "available"}, headers=KEY
    ).raise_for_status()
    call = client.post("/api/hotline/calls", json={"caller_number": "+1 555 0800", "skills": {}}, headers=KEY)
    call_id = call.json()["call_id"]
    assert call.json()["agent_id"] == tom
    client.post(f"/api/hotline/calls/{call_id}/answer", headers=KEY).raise_for_status()
    client.put(
        f"/api/hotline/agents/{ann}/state", json={"status": "available"}, headers=KEY
    ).raise_for_status()

    assert client.post("/login", data={"username": "tom", "password": PASSWORD}, follow_redirects=False)
    me = client.get("/me").text
    assert f"Call #{call_id}" in me and "Consult (warm transfer)" in me and "2 second line" in me
    form = {"csrf": _csrf(me), "how": "consult", "reason": "refund above my limit", "to_tier": ""}
    asked = client.post(f"/me/calls/{call_id}/hand-over", data=form)
    assert asked.status_code == 200 and f"offered to agent {ann}" in asked.text
    assert "Complete transfer" not in asked.text and "Take the caller back" in asked.text
    [consult] = client.get("/api/hotline/consults", headers=KEY).json()
    client.post(f"/api/hotline/consults/{consult['consult_id']}/answer", headers=KEY).raise_for_status()
    me = client.get("/me").text
    assert "is talking" in me and "Complete transfer" in me
    token = _csrf(me)  # the login session's form token
    done = client.post(f"/me/consults/{consult['consult_id']}/complete", data={"csrf": token})
    assert f"Call {call_id} transferred to agent {ann}" in done.text
    assert client.get(f"/api/hotline/calls/{call_id}", headers=KEY).json()["agent_id"] == ann
    # The call is Ann's now: Tom can no longer hand it on, nor act on the finished consult twice.
    again = {**form, "csrf": token}
    assert client.post(f"/me/calls/{call_id}/hand-over", data=again).status_code == 404
    late = client.post(f"/me/consults/{consult['consult_id']}/cancel", data={"csrf": token})
    assert "Not done" in late.text and "completed" in late.text
    [escalation] = client.get(f"/api/hotline/calls/{call_id}/escalations", headers=KEY).json()
    assert escalation["reason"] == "refund above my limit"
