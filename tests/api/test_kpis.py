"""KPIs through the API: the PBX sends the caller's survey digit, the agent their disposition, and staff
and agents read the figures (definitions: routing/kpis.py)."""

from __future__ import annotations

import pytest

from qa.complaint_store import store_complaint_reading
from qa.complaints import load_complaint_cues
from tests.api.conftest import ApiEnv
from tests.conftest import create_scored_call
from transcription.recognizer import Segment

KEY = {"X-Hotline-Key": "pbx-secret"}

pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


def test_survey_disposition_and_the_kpis(api: ApiEnv) -> None:
    client, tom = api.client, api.agent_id
    client.put(
        f"/api/hotline/agents/{tom}/state", json={"status": "available"}, headers=KEY
    ).raise_for_status()
    call = client.post("/api/hotline/calls", json={"caller_number": "+1 555 0700", "skills": {}}, headers=KEY)
    assert call.json()["agent_id"] == tom
    call_id = call.json()["call_id"]
    early = client.post(f"/api/hotline/calls/{call_id}/survey", json={"digit": 5}, headers=KEY)
    assert early.status_code == 409  # not before the call ended
    client.post(f"/api/hotline/calls/{call_id}/answer", headers=KEY).raise_for_status()
    client.post(f"/api/hotline/calls/{call_id}/end", headers=KEY).raise_for_status()

    assert (
        client.post(f"/api/hotline/calls/{call_id}/survey", json={"digit": 9}, headers=KEY).status_code == 422
    )
    assert client.post(f"/api/hotline/calls/{call_id}/survey", json={"digit": 2}).status_code == 401
    assert (
        client.post(f"/api/hotline/calls/{call_id}/survey", json={"digit": 2}, headers=KEY).status_code == 204
    )
    assert (
        client.post(f"/api/hotline/calls/{call_id}/survey", json={"digit": 4}, headers=KEY).status_code == 409
    )

    said = {"resolved": True, "complaint": True}
    ann = api.token("ann")
    assert client.put(f"/api/hotline/calls/{call_id}/disposition", json=said, headers=ann).status_code == 404
    agent = api.token("tom")
    assert (
        client.put(f"/api/hotline/calls/{call_id}/disposition", json=said, headers=agent).status_code == 204
    )

    center = client.get("/api/kpis", headers=api.token("qa")).json()
    assert (center["offered"], center["answered"], center["surveyed"]) == (1, 1, 1)
    assert (center["satisfaction_mean"], center["satisfied_share"]) == (2.0, 0.0)
    assert (center["complaints"], center["complaint_rate"]) == (1, 1.0)
    assert center["fcr_decided"] == 0  # the 7-day window is still open
    own = client.get("/api/kpis", headers=agent).json()
    assert own["agent_id"] == tom and own["answered"] == 1
    assert client.get("/api/kpis", params={"agent_id": api.other_agent_id}, headers=agent).status_code == 404
    theirs = client.get("/api/kpis", params={"agent_id": api.other_agent_id}, headers=api.token("qa")).json()
    assert theirs["answered"] == 0 and theirs["complaint_rate"] is None

    # The page: staff see the center and every agent, an agent the center and themselves.
    login = {"username": "qa", "password": "correct-horse-battery"}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    page = client.get("/kpis", params={"days": 7})
    assert page.status_code == 200 and "KPIs, last 7 days" in page.text
    assert "Whole center" in page.text and "Tom Baker" in page.text and "Ann Lee" in page.text
    assert "2.00 (1)" in page.text and "100.0 % (1)" in page.text  # satisfaction, complaints
    client.get("/logout")
    login = {"username": "tom", "password": "correct-horse-battery"}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    own = client.get("/kpis").text
    assert "Tom Baker" in own and "Ann Lee" not in own
    # The agent's own page shows their own figures, and nobody else's page is theirs to open.
    me = client.get("/me").text
    cards = me[me.index('id="agent-kpis"') : me.index("Monthly composite")]
    assert "My calls, last 30 days" in me and "2.00" in cards and "1 surveyed" in cards
    assert "100.0 %" in cards and "1 calls (0 heard in the recording)" in cards
    assert client.get(f"/agents/{api.other_agent_id}").status_code == 404
    client.get("/logout")
    login = {"username": "qa", "password": "correct-horse-battery"}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    anns = client.get(f"/agents/{api.other_agent_id}").text
    cards = anns[anns.index('id="agent-kpis"') : anns.index("Monthly composite")]
    assert "Their calls" in anns and "2.00" not in cards and "0 surveyed" in cards


def test_a_calls_page_shows_the_stored_complaint_reading(api: ApiEnv) -> None:
    with api.factory() as s:
        call = create_scored_call(s, api.agent_id, {"greeting": True, "closing": True})
        said = [Segment("caller", 4.0, 6.5, "I want to make a complaint about my bill")]
        store_complaint_reading(s, call.id, said, load_complaint_cues(language="en"))
        calm = create_scored_call(s, api.agent_id, {"greeting": True, "closing": True})
        store_complaint_reading(
            s, calm.id, [Segment("caller", 1.0, 2.0, "thanks, all sorted")], load_complaint_cues()
        )
        s.commit()
        ids = call.id, calm.id
    login = {"username": "qa", "password": "correct-horse-battery"}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    page = api.client.get(f"/calls/{ids[0]}").text
    item = page[page.index('id="complaint"') : page.index("</li>", page.index('id="complaint"'))]
    assert "the caller complained" in item and "“complaint” at 5.4s" in item  # the word's time in its segment
    assert "none heard" in api.client.get(f"/calls/{ids[1]}").text
