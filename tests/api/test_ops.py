"""A real server under concurrent load, and what `/health` says about the worker and the queue."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func, select

from callqa.services.ingest import ingest_recording
from models import Call, make_engine, make_session_factory
from tests.conftest import write_tone_call
from tests.live import live_server, seed_database, server_env, wait_for


def test_a_burst_of_concurrent_requests_gets_no_server_error_and_the_worker_survives(tmp_path: Path) -> None:
    """120 concurrent reads of the heavier pages and API routes (more than the old 5 + 10 pool): no 5xx,
    and the embedded worker is alive afterwards."""
    data = tmp_path / "data"
    data.mkdir()
    seed_database(f"sqlite:///{data / 'callqa.db'}")
    env = server_env(data, worker_poll_s="0.2", worker_stale_after_s="4", server_threads="40")
    with live_server(env, tmp_path / "server.log") as server:
        api = server.token("qa")
        pages = server.page_client("qa")
        cookies = dict(pages.cookies)
        routes = ["/api/reviews", "/api/overview", "/queue", "/overview"]

        def get(i: int) -> int:
            route = routes[i % len(routes)]
            headers = api if route.startswith("/api") else {}
            with httpx.Client(base_url=server.url, timeout=120, cookies=cookies) as client:
                return client.get(route, headers=headers).status_code

        with ThreadPoolExecutor(120) as pool:
            codes = list(pool.map(get, range(120)))
        assert [c for c in codes if c >= 500] == [], server.log_text()[-3000:]
        assert set(codes) == {200}, codes
        health = httpx.get(f"{server.url}/health", timeout=30)
        assert health.status_code == 200, health.text
        assert health.json()["worker"]["alive"] == 1 and health.json()["worker"]["embedded"] is True


def test_health_reports_the_queue_and_answers_503_without_a_live_worker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    agent_id = seed_database(url)
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        tone = write_tone_call(tmp_path / "tone.wav")
        ingest_recording(s, source=tone, recordings_dir=data / "recordings", agent_id=agent_id)
        s.commit()
    env = server_env(data, worker_stale_after_s="2")
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        resp = httpx.get(f"{server.url}/health", timeout=30)
        assert resp.status_code == 503, resp.text
        body = resp.json()
        assert body["database"] == "ok" and body["worker"]["alive"] == 0
        assert body["queue"]["queued"] == 1 and body["queue"]["oldest_queued_age_s"] >= 0
    # With the embedded worker the same deployment is healthy (the worker beats within a second).
    with live_server(env, tmp_path / "server2.log") as server:
        assert wait_for(lambda: httpx.get(f"{server.url}/health", timeout=30).status_code == 200, 30)


def test_an_upload_during_a_database_lock_leaves_no_file_without_a_row(tmp_path: Path) -> None:
    """Another writer holds SQLite's lock past the busy timeout: the upload answers 503 (retry), and neither
    a row nor a stored recording remains; once the lock is gone the same upload is accepted."""
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    agent_id = seed_database(url)
    tone = write_tone_call(tmp_path / "tone.wav").read_bytes()
    env = server_env(data, db_busy_timeout_s="0.5")
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        headers = server.token("qa")

        def upload() -> httpx.Response:
            files = {"file": ("call.wav", tone, "audio/wav")}
            form = {"agent_id": str(agent_id)}
            return httpx.post(f"{server.url}/api/calls", headers=headers, files=files, data=form, timeout=60)

        holder = sqlite3.connect(data / "callqa.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            locked = upload()
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert locked.status_code == 503, locked.text
        assert locked.headers.get("retry-after")
        recordings = data / "recordings"
        assert [p for p in recordings.rglob("*") if p.is_file()] == []
        with make_session_factory(make_engine(url))() as s:
            assert s.scalar(select(func.count()).select_from(Call)) == 0
        accepted = upload()
        assert accepted.status_code == 202, accepted.text
        assert len([p for p in recordings.rglob("*") if p.is_file()]) == 1


def test_a_second_server_on_the_same_database_does_not_run_its_own_router(tmp_path: Path) -> None:
    """Two `callqa serve` on one database: the first owns the hotline; the second serves the API but answers
    hotline routes 503 naming the owner, and takes the hotline over (router rebuilt from the database)
    once the owner is killed and its lease lapses."""
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    seed_database(url)
    env = server_env(data, hotline_lease_s="2")
    key = {"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}
    arrival = {"caller_number": "+1 555 0100", "ivr_choice": "1"}
    with (
        live_server(env, tmp_path / "first.log", worker=False) as first,
        live_server(env, tmp_path / "second.log", worker=False) as second,
    ):
        owned = httpx.post(f"{first.url}/api/hotline/calls", json=arrival, headers=key, timeout=30)
        assert owned.status_code == 201, owned.text
        refused = httpx.post(f"{second.url}/api/hotline/calls", json=arrival, headers=key, timeout=30)
        assert refused.status_code == 503, refused.text
        assert f"pid {first.process.pid}" in refused.json()["detail"]
        stats = httpx.get(f"{second.url}/api/hotline/stats", headers=key, timeout=30)
        assert stats.status_code == 503
        assert (
            httpx.get(f"{second.url}/api/reviews", headers=second.token("qa"), timeout=30).status_code == 200
        )

        first.process.kill()  # no clean release: the standby waits for the lease to lapse
        first.process.wait(timeout=10)

        def taken_over() -> bool:
            resp = httpx.get(f"{second.url}/api/hotline/stats", headers=key, timeout=30)
            return resp.status_code == 200 and resp.json()["waiting"] == 1

        assert wait_for(taken_over, 20), second.log_text()[-2000:]
        again = httpx.post(f"{second.url}/api/hotline/calls", json=arrival, headers=key, timeout=30)
        assert again.status_code == 201 and again.json()["position"] == 2, again.text
