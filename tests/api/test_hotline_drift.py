"""The live router never drifts from the database (issue 15, "Why"): each test drives a real uvicorn
server on localhost the way a PBX and an admin do, with edits made while the hotline is running."""

from __future__ import annotations

import pytest

from tests.api.conftest import LiveServer, http
from tests.conftest import create_scored_call

KEY = {"X-Hotline-Key": "pbx-secret"}
HOTLINE = "/api/hotline"
pytestmark = pytest.mark.api_settings(hotline_key="pbx-secret")


@pytest.fixture
def pbx(live: LiveServer) -> LiveServer:
    """The app (packaged routing config, a hotline key) served by uvicorn on localhost."""
    return live


def new_agent(server: LiveServer, name: str, skills: dict[str, int], **profile: object) -> int:
    resp = http.post(
        f"{server.url}/api/agents",
        json={"name": name, "skills": skills, **profile},
        headers=server.token("admin"),
    )
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def available(server: LiveServer, agent_id: int) -> None:
    resp = http.put(
        f"{server.url}{HOTLINE}/agents/{agent_id}/state", json={"status": "available"}, headers=KEY
    )
    assert resp.status_code == 200, resp.text


def arrive(server: LiveServer, **body: object) -> dict[str, object]:
    resp = http.post(f"{server.url}{HOTLINE}/calls", json={"caller_number": "+4411", **body}, headers=KEY)
    assert resp.status_code == 201, resp.text
    result: dict[str, object] = resp.json()
    return result


def test_an_agent_created_over_the_api_is_routed_at_once(pbx: LiveServer) -> None:
    # Was: the first state change answered 404 "not found (or inactive)".
    agent = new_agent(pbx, "Nia Okafor", {"billing": 3}, extension="PJSIP/1001", tier=1)
    available(pbx, agent)
    assert arrive(pbx, ivr_choice="1")["agent_id"] == agent


def test_skill_edits_reach_the_router_while_calls_wait(pbx: LiveServer) -> None:
    # Was: PUT skills answered OK, and the router kept the old skills until a restart.
    agent = new_agent(pbx, "Omar Haddad", {"billing": 3})
    expert = new_agent(pbx, "Pia Lund", {"technical": 5})  # on no shift: the call can wait for her
    available(pbx, agent)
    waiting = arrive(pbx, ivr_choice="2")  # technical ≥ 3: Omar cannot take it
    assert waiting["state"] == "waiting"
    admin = pbx.token("admin")
    resp = http.put(f"{pbx.url}/api/agents/{agent}/skills", json={"technical": 4}, headers=admin)
    assert resp.status_code == 200 and resp.json()["skills"] == {"technical": 4}
    now = http.get(f"{pbx.url}{HOTLINE}/calls/{waiting['call_id']}", headers=KEY).json()
    assert (now["state"], now["agent_id"]) == ("offered", agent)
    # Billing was taken away: a billing call waits (for relaxation) although Omar is free again.
    http.post(f"{pbx.url}{HOTLINE}/calls/{waiting['call_id']}/abandon", headers=KEY)
    assert arrive(pbx, ivr_choice="1")["state"] == "waiting"
    assert http.get(f"{pbx.url}{HOTLINE}/agents/{expert}", headers=KEY).json()["skills"] == {"technical": 5}


@pytest.mark.api_settings(
    hotline_key="pbx-secret", routing_yaml="strategy: quality-weighted\nivr: {'1': {billing: 2}}\n"
)
def test_new_qa_scores_reach_quality_weighted_routing(pbx: LiveServer) -> None:
    # Was: quality-weighted routing ranked by the scores loaded at start-up.
    careful = new_agent(pbx, "Rui Costa", {"billing": 3})
    sloppy = new_agent(pbx, "Sam Reid", {"billing": 3})
    available(pbx, sloppy)  # idle longer: wins while nobody has a score
    available(pbx, careful)
    first = arrive(pbx, ivr_choice="1")
    assert first["agent_id"] == sloppy
    http.post(f"{pbx.url}{HOTLINE}/calls/{first['call_id']}/abandon", headers=KEY)
    with pbx.env.factory() as s:  # the worker scores calls in its own transaction
        create_scored_call(s, careful, {"greeting": True, "closing": True})
        create_scored_call(s, sloppy, {"greeting": False, "closing": False})
        s.commit()
    second = arrive(pbx, ivr_choice="1")
    assert second["agent_id"] == careful
    decisions = http.get(f"{pbx.url}{HOTLINE}/calls/{second['call_id']}/decisions", headers=KEY).json()
    assert decisions[0]["reason"].startswith(f"quality weighted: agent {careful} (QA score 100.0)")


def test_a_chinese_caller_reaches_a_chinese_speaking_agent(pbx: LiveServer) -> None:
    # Was: agents defaulted to English and nothing set their languages; a zh caller waited for ever.
    english = new_agent(pbx, "Tom Hill", {"billing": 3})
    mei = new_agent(pbx, "Mei Lin", {"billing": 2}, languages=["zh", "en"])
    available(pbx, english)
    available(pbx, mei)
    call = arrive(pbx, ivr_choice="1", language="zh")
    assert call["agent_id"] == mei
    queued = arrive(pbx, ivr_choice="1", language="zh")  # Mei is busy: the caller waits, told in Chinese
    assert queued["state"] == "waiting" and queued["announcement"] == "您目前排在第1位，预计等待约3分钟。"


def test_a_call_nobody_could_ever_take_is_refused_with_the_reason(pbx: LiveServer) -> None:
    # Was: {"klingon": 3} was accepted and the caller waited for ever.
    available(pbx, new_agent(pbx, "Uma Roy", {"billing": 3}))
    calls = f"{pbx.url}{HOTLINE}/calls"
    unknown = http.post(calls, json={"caller_number": "+1", "skills": {"klingon": 3}}, headers=KEY)
    assert unknown.status_code == 422
    assert unknown.json() == {
        "error": "HotlineRefusedError",
        "detail": "unknown skill 'klingon'",
        "fields": [],
    }
    french = http.post(calls, json={"caller_number": "+1", "ivr_choice": "1", "language": "fr"}, headers=KEY)
    assert french.status_code == 422 and french.json()["detail"].endswith("no agent speaks fr")
    # The IVR may play the reason: a Chinese caller's is in Chinese (was: English for everyone).
    chinese = http.post(calls, json={"caller_number": "+1", "ivr_choice": "1", "language": "zh"}, headers=KEY)
    assert (
        chinese.status_code == 422
        and chinese.json()["detail"] == "抱歉，没有坐席能够接听这通电话：没有坐席会说 zh"
    )
    bad = http.post(calls, json={"caller_number": "+1", "ivr_choice": "1", "language": "../x"}, headers=KEY)
    assert bad.status_code == 422
    stats = http.get(f"{pbx.url}{HOTLINE}/stats", headers=KEY).json()
    assert stats["waiting"] == 0  # nothing was queued
