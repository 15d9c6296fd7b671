"""A real server under concurrent load, and what `/health` says about the worker and the queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from callqa.ingest import ingest_recording
from models import make_engine, make_session_factory
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
