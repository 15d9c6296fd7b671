"""Webhooks from a real `callqa serve`: an admin subscribes over the API, hotline events reach a real
localhost receiver signed, a receiver that fails is retried until it recovers (the delivery log shows
it), and a server killed in the middle of a delivery delivers it after its restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from callqa.services.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.callqa.services.webhook_receiver import Receiver
from tests.live import live_server, seed_database, server_env, wait_for


def test_deliveries_survive_a_failing_receiver_and_a_server_killed_mid_delivery(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    config = tmp_path / "hotline.yaml"
    config.write_text("wrap_up_s: 1\nivr: {'1': {billing: 1}}\n")
    env = server_env(
        data,
        routing_config_path=str(config),
        webhook_timeout_s="2",
        webhook_retry_base_s="0.2",
        webhook_retry_max_s="1",
    )
    flaky, hanging = Receiver(fail_first=2), Receiver(hang_first=1, hang_s=60)
    try:
        with live_server(env, tmp_path / "first.log", worker=False) as server:
            admin = httpx.Client(base_url=server.url, headers=server.token("admin"), timeout=30)
            pbx = httpx.Client(
                base_url=server.url, headers={"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}, timeout=30
            )
            assert server_post(admin, "/api/webhooks", {"url": "ftp://x", "events": ["*"]}).status_code == 422
            created = server_post(
                admin, "/api/webhooks", {"url": flaky.url, "events": ["call.routed", "call.ended"]}
            )
            assert created.status_code == 201, created.text
            sub = created.json()
            assert len(sub["secret"]) >= 32 and "secret" not in admin.get("/api/webhooks").json()[0]
            # The PBX's key (or a QA login) does not manage webhooks; only an admin does.
            assert pbx.post("/api/webhooks", json={"url": flaky.url, "events": ["*"]}).status_code == 401
            qa = {"Authorization": server.token("qa")["Authorization"]}
            assert httpx.get(f"{server.url}/api/webhooks", headers=qa).status_code == 403
            admin.put(f"/api/agents/{tom}/skills", json={"billing": 2}).raise_for_status()
            pbx.put(f"/api/hotline/agents/{tom}/state", json={"status": "available"}).raise_for_status()
            call = pbx.post("/api/hotline/calls", json={"caller_number": "+44 1", "ivr_choice": "1"}).json()
            pbx.post(f"/api/hotline/calls/{call['call_id']}/answer").raise_for_status()
            pbx.post(f"/api/hotline/calls/{call['call_id']}/end").raise_for_status()

            assert wait_for(lambda: len(flaky.accepted()) == 2, 30), server.log_text()[-3000:]
            for r in flaky.accepted():
                assert verify(
                    sub["secret"], int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER]
                )
            assert sorted(r.json()["event"] for r in flaky.accepted()) == ["call.ended", "call.routed"]
            log = admin.get(f"/api/webhooks/{sub['id']}/deliveries").json()
            assert [d["status"] for d in log] == ["delivered", "delivered"]
            assert sum(d["attempts"] for d in log) == 4 and {d["last_status_code"] for d in log} == {200}

            # A receiver that never answers in time; the server dies while it waits.
            slow = server_post(
                admin, "/api/webhooks", {"url": hanging.url, "events": ["call.abandoned"]}
            ).json()
            waiting = pbx.post(
                "/api/hotline/calls", json={"caller_number": "+44 2", "ivr_choice": "1"}
            ).json()
            pbx.post(f"/api/hotline/calls/{waiting['call_id']}/abandon").raise_for_status()
            assert wait_for(lambda: len(hanging.received) == 1, 30), server.log_text()[-3000:]
            server.process.kill()
            server.process.wait()
        with live_server(env, tmp_path / "second.log", worker=False) as server:
            assert wait_for(lambda: len(hanging.accepted()) == 1, 40), server.log_text()[-3000:]
            first, again = hanging.received
            assert first.body == again.body and first.json()["event"] == "call.abandoned"
            assert first.json()["data"]["hotline_call_id"] == waiting["call_id"]
            admin = httpx.Client(base_url=server.url, headers=server.token("admin"), timeout=30)
            path = f"/api/webhooks/{slow['id']}/deliveries"
            assert wait_for(lambda: admin.get(path).json()[0]["status"] == "delivered", 10)
            [delivery] = admin.get(path).json()
            assert delivery["attempts"] == 2 and delivery["last_error"] is None
    finally:
        flaky.stop()
        hanging.stop()


def server_post(client: httpx.Client, path: str, body: dict[str, object]) -> httpx.Response:
    return client.post(path, json=body)
