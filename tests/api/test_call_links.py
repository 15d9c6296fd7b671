"""A recording names its PBX call: it joins the routed hotline call's facts to its QA and score, and the
same recording (or PBX call id) twice is one call (issue 15: duplicates were counted twice)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AgentSkill, Call, Job, Skill
from tests.api.conftest import ApiEnv
from tests.conftest import write_tone_call

KEY = {"X-Hotline-Key": "pbx-secret"}
pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


def upload(api: ApiEnv, wav: Path, **form: str) -> tuple[int, dict[str, object]]:
    resp = api.client.post(
        "/api/calls",
        headers=api.token("qa"),
        files={"file": (wav.name, wav.read_bytes(), "audio/wav")},
        data=form,
    )
    return resp.status_code, resp.json()


def counts(api: ApiEnv) -> tuple[int, int]:
    with api.factory() as s:
        return s.scalar(select(func.count()).select_from(Call)) or 0, s.scalar(
            select(func.count()).select_from(Job)
        ) or 0


def test_a_recording_with_its_pbx_call_id_is_linked_to_the_routed_call(api: ApiEnv, tmp_path: Path) -> None:
    with api.factory() as s:
        s.add(AgentSkill(agent_id=api.other_agent_id, skill=Skill(name="billing"), proficiency=3))
        s.commit()
    client = api.client
    resp = client.put(
        f"/api/agents/{api.other_agent_id}/routing",
        json={"extension": "PJSIP/2002", "tier": 2},
        headers=api.token("admin"),
    )
    assert resp.status_code == 200, resp.text
    client.put(f"/api/hotline/agents/{api.other_agent_id}/state", json={"status": "available"}, headers=KEY)
    arrival = {"caller_number": "+44 20 7946 0018", "ivr_choice": "1", "pbx_call_id": "1732761000.42"}
    routed = client.post("/api/hotline/calls", json=arrival, headers=KEY).json()
    assert routed["agent_id"] == api.other_agent_id and routed["agent_extension"] == "PJSIP/2002"
    again = client.post("/api/hotline/calls", json=arrival, headers=KEY)
    assert again.status_code == 409 and "already hotline call" in again.json()["detail"]
    client.post(f"/api/hotline/calls/{routed['call_id']}/answer", headers=KEY).raise_for_status()
    ended = client.post(f"/api/hotline/calls/{routed['call_id']}/end", headers=KEY).json()
    assert ended["state"] == "ended"

    # The PBX uploads the recording naming only its call id: agent, caller and times come from routing.
    status, call = upload(api, write_tone_call(tmp_path / "rec.wav"), pbx_call_id="1732761000.42")
    assert status == 202, call
    # no caller-number key configured: the number is not kept (tests/callqa/services/test_pii_caller.py)
    assert call["agent_id"] == api.other_agent_id and call["caller_number"] is None
    assert call["hotline_call_id"] == routed["call_id"] and call["direction"] == "inbound"
    routing = call["routing"]
    assert isinstance(routing, dict)
    assert (
        routing["skills"] == {"billing": 2}
        and routing["tier"] == 2
        and routing["agent_id"] == api.other_agent_id
    )
    assert 0 <= routing["queue_wait_s"] < 60 and routing["reason"].startswith("longest idle: agent")
    assert datetime.fromisoformat(str(call["started_at"])) >= datetime.fromisoformat(routed["arrived_at"])
    read = client.get(f"/api/calls/{call['id']}", headers=api.token("qa")).json()
    assert read["routing"] == routing and read["pbx_call_id"] == "1732761000.42"


def test_the_same_recording_or_pbx_call_twice_is_one_call(api: ApiEnv, tmp_path: Path) -> None:
    wav = write_tone_call(tmp_path / "a.wav")
    status, first = upload(
        api,
        wav,
        agent_id=str(api.agent_id),
        pbx_call_id="1732761111.7",
        started_at="2026-11-27T09:15:00+00:00",
        direction="outbound",
    )
    assert status == 202 and str(first["started_at"]).startswith("2026-11-27T09:15:00")
    assert first["direction"] == "outbound"
    assert counts(api) == (1, 1)
    status, same_content = upload(api, wav, agent_id=str(api.agent_id))
    assert status == 200 and same_content["id"] == first["id"]
    other = write_tone_call(tmp_path / "b.wav", seconds=4.0)
    status, same_pbx_id = upload(api, other, agent_id=str(api.agent_id), pbx_call_id="1732761111.7")
    assert status == 200 and same_pbx_id["id"] == first["id"]
    assert counts(api) == (1, 1)  # nothing more stored, nothing queued twice
    status, new = upload(api, other, agent_id=str(api.agent_id))
    assert status == 202 and new["id"] != first["id"]


def test_an_upload_must_name_its_agent_somehow(api: ApiEnv, tmp_path: Path) -> None:
    wav = write_tone_call(tmp_path / "a.wav")
    status, body = upload(api, wav)
    assert status == 422 and "agent_id" in str(body["detail"])
    status, body = upload(api, wav, agent_extension="PJSIP/9999")
    assert status == 404 and "PJSIP/9999" in str(body["detail"])
    status, body = upload(api, wav, agent_id=str(api.agent_id), started_at="2026-11-27T09:15:00")
    assert status == 422  # a time without its zone is ambiguous
    assert counts(api) == (0, 0)
