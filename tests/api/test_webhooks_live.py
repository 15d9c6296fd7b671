"""Webhooks from a real `callqa serve`: an admin subscribes over the API, hotline events reach a real
localhost receiver signed, a receiver that fails is retried until it recovers (the delivery log shows
it), and a server killed in the middle of a delivery delivers it after its restart."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa

from callqa.services.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from models import make_engine
from models.migrate import upgrade_database
from tests.callqa.services.webhook_receiver import Receiver
from tests.conftest import callqa_ok, run_callqa
from tests.live import free_port, live_server, seed_database, server_env, wait_for

KEY = "webhook secrets are sealed with this 40-char key"


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
        webhook_secret_key=KEY,
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


def test_secrets_are_sealed_at_rest_and_a_server_without_their_key_refuses_to_start(tmp_path: Path) -> None:
    """A database holding a plain secret (revision 0032) is sealed by the first start that has the key; a
    start without it, or with another key, stops with a message naming the setting; the secret never
    reaches the database file in plain text, and deliveries are still signed with it."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "callqa.db"
    url = f"sqlite:///{db}"
    upgrade_database(url, "0032")
    receiver = Receiver()
    plain = "an old plain secret of the receiver, 40+ chars"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO webhook_subscriptions (url, events, secret, active, created_at) "
                "VALUES (:url, '[\"*\"]', :secret, 1, '2026-12-01 00:00:00')"
            ),
            {"url": receiver.url, "secret": plain},
        )
    engine.dispose()
    config = tmp_path / "hotline.yaml"
    config.write_text("ivr: {'1': {billing: 1}}\n")
    try:
        for key, says in ((None, "set CALLQA_WEBHOOK_SECRET_KEY"), (KEY, None), ("x" * 40, "does not open")):
            settings = {"webhook_secret_key": key} if key else {}
            env = server_env(data, routing_config_path=str(config), **settings)
            if says is not None:
                refused = run_callqa("serve", "--no-worker", "--port", str(free_port()), env=env, timeout=120)
                said = " ".join(refused.stderr.split())
                assert refused.returncode == 2 and "not starting" in said and says in said, refused.stderr
                continue
            callqa_ok("db", "upgrade", env=env)  # seals the stored secret
            tom = seed_database(url)
            with live_server(env, tmp_path / "server.log", worker=False) as server:
                admin = httpx.Client(base_url=server.url, headers=server.token("admin"), timeout=30)
                new = admin.post("/api/webhooks", json={"url": receiver.url, "events": ["call.routed"]})
                assert new.status_code == 201, new.text
                pbx = httpx.Client(
                    base_url=server.url, headers={"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}, timeout=30
                )
                admin.put(f"/api/agents/{tom}/skills", json={"billing": 2}).raise_for_status()
                pbx.put(f"/api/hotline/agents/{tom}/state", json={"status": "available"}).raise_for_status()
                call = {"caller_number": "+44 3", "ivr_choice": "1"}
                pbx.post("/api/hotline/calls", json=call).raise_for_status()
                assert wait_for(lambda: len(receiver.accepted()) >= 2, 30), server.log_text()[-3000:]
            signed = {
                s
                for r in receiver.accepted()
                for s in (plain, new.json()["secret"])
                if verify(s, int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER])
            }
            assert signed == {plain, new.json()["secret"]}  # each subscription's deliveries with its own
            stored = db.read_bytes()
            assert plain.encode() not in stored and new.json()["secret"].encode() not in stored
    finally:
        receiver.stop()

    key_less = tmp_path / "empty"
    key_less.mkdir()
    with live_server(server_env(key_less), tmp_path / "keyless.log", worker=False) as server:
        seed_database(f"sqlite:///{key_less / 'callqa.db'}")
        admin = httpx.Client(base_url=server.url, headers=server.token("admin"), timeout=30)
        answer = admin.post("/api/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["*"]})
        assert answer.status_code == 503 and "CALLQA_WEBHOOK_SECRET_KEY" in answer.json()["detail"]
