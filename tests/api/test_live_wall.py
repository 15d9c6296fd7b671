"""The supervisors' wall and its alerts through a real `callqa serve` (tests/api/live_streams.py): scoped to
the supervisor's team, and alerts stored as they are raised, sent to webhook subscribers, listed and
acknowledged within the scope, still there after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
from websockets.sync.client import connect

from tests.api.live_streams import AssistServer, assist_env, first, opens, pbx, sse, stream, ws_url
from tests.callqa.services.webhook_receiver import Receiver
from tests.live import live_server, wait_for

OPENING_S = 21.0
"""Agent audio (s) past the greeting's window (20 s in en.yaml): silence there raises greeting alerts."""


def test_live_calls_and_the_wall_are_scoped_to_the_supervisors_team(assist_live: AssistServer) -> None:
    live, tom, _ = assist_live
    key = "scoped-1"
    assert httpx.get(f"{live.url}/api/live/wall/events", headers=live.token("tom")).status_code == 403
    assert httpx.get(f"{live.url}/api/live/wall/events", headers=live.token("qa")).status_code == 403
    sue_wall = sse(live, "/api/live/wall/events", "sue")
    assert next(sue_wall) == ("calls", [])
    with connect(ws_url(live, key, "agent", tom), additional_headers=pbx(live), open_timeout=120):
        kind, opened = next(sue_wall)  # the call appears on the wall of tom's supervisor
        assert kind == "call" and (opened["key"], opened["agent_name"], opened["ended"]) == (
            key,
            "Tom Baker",
            False,
        )
        listed = {
            u: httpx.get(f"{live.url}/api/live/calls", headers=live.token(u)).json() for u in ("sue", "sam")
        }
        assert [c["key"] for c in listed["sue"]] == [key] and listed["sam"] == []
        assert first(live, "/api/live/wall/events", "sam") == ("calls", [])
        assert first(live, "/api/live/wall/events", "admin")[1][0]["key"] == key
        assert opens(live, f"/api/live/calls/{key}/events", "sam") == 404  # another team's: as if not live
        assert opens(live, f"/api/live/calls/{key}/events", "sue") == 200
    kind, ended = next(sue_wall)
    sue_wall.close()
    assert kind == "call" and ended["key"] == key and ended["ended"] and ended["final"] is not None


def _alerts(url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    resp = httpx.get(f"{url}/api/live/alerts", params=params, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    alerts: list[dict[str, Any]] = resp.json()
    return alerts


def test_wall_alerts_are_stored_sent_as_webhooks_and_acknowledged_after_a_restart(tmp_path: Path) -> None:
    """A call whose agent says nothing through the opening: the wall is alerted to each greeting element
    missed; the alerts are stored (with the call, agent, kind, time and evidence), delivered to a webhook
    subscriber as `live.alert`, and after a restart still listed and acknowledged, by tom's supervisor
    only."""
    env, tom, _ = assist_env(tmp_path)
    env["CALLQA_WEBHOOK_SECRET_KEY"] = "the wall test seals its webhook secret with this"  # none by default
    receiver = Receiver()
    key = "alerts-1"
    try:
        with live_server(env, tmp_path / "first.log", worker=False) as live:
            admin = live.token("admin")
            subscription = {"url": receiver.url, "events": ["live.alert"]}
            hook = httpx.post(f"{live.url}/api/webhooks", json=subscription, headers=admin)
            assert hook.status_code == 201, hook.text
            wall = sse(live, "/api/live/wall/events", "sue")
            assert next(wall) == ("calls", [])
            url = ws_url(live, key, "agent", tom)
            with connect(url, additional_headers=pbx(live), open_timeout=120) as ws:
                stream(ws, np.zeros(int(OPENING_S * 8000), np.float32))
                alerts: list[dict[str, Any]] = []
                while len(alerts) < 3:
                    kind, data = next(wall)
                    if kind == "alert":
                        alerts.append(data)
            wall.close()
            assert {(a["call_key"], a["agent_id"], a["kind"]) for a in alerts} == {(key, tom, "greeting")}
            assert sorted(a["reason"].split()[1] for a in alerts) == ["company", "salutation", "self_id"]
            assert all(a["evidence"] == "" and a["at_s"] >= 20 and a["say"] for a in alerts), alerts
            assert wait_for(lambda: len(receiver.accepted()) == 3, 30), live.log_text()[-3000:]
            sent = [r.json() for r in receiver.accepted()]
            assert {s["event"] for s in sent} == {"live.alert"}
            assert sorted(s["data"]["alert_id"] for s in sent) == sorted(a["id"] for a in alerts)
            assert {s["data"]["call_key"] for s in sent} == {key}
        with live_server(env, tmp_path / "second.log", worker=False) as live:
            sue, sam = live.token("sue"), live.token("sam")
            stored = _alerts(live.url, sue, open="true", call_key=key)
            assert sorted(a["id"] for a in stored) == sorted(a["id"] for a in alerts)
            assert _alerts(live.url, sam) == []  # another team's agent
            assert httpx.get(f"{live.url}/api/live/alerts", headers=live.token("tom")).status_code == 403
            one = stored[0]["id"]
            ack = f"{live.url}/api/live/alerts/{one}/acknowledge"
            assert httpx.post(ack, headers=sam).status_code == 404
            done = httpx.post(ack, headers=sue)
            assert done.status_code == 200 and done.json()["acknowledged_at"] is not None
            again = httpx.post(ack, headers=live.token("admin")).json()  # the first acknowledgement stays
            assert again["acknowledged_by"] == done.json()["acknowledged_by"] is not None
            assert again["acknowledged_at"] == done.json()["acknowledged_at"]
            assert sorted(a["id"] for a in _alerts(live.url, sue, open="true")) == sorted(
                a["id"] for a in stored if a["id"] != one
            )
            assert len(_alerts(live.url, sue)) == 3
    finally:
        receiver.stop()
