"""Sampling plans against a real server (callqa serve): a plan added over JSON, drawn by several staff at
the same moment through the API and the page form, never draws more than its N per agent; the drawn
reviews are assigned to the plan's reviewer; agents and other teams' supervisors cannot draw it."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from callqa.services.users import create_user
from models import PlanSample, Review, make_engine, make_session_factory
from routing.teams import create_team
from tests.conftest import create_scored_call, fresh_database
from tests.live import PASSWORD, live_server, seed_database, server_env
from tests.scoring.test_review import GOOD

CALLS = 8
N = 3


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_with_calls(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = fresh_database(request.param, tmp_path)
    agent_id = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        other = create_team(s, "Elsewhere")
        create_user(s, username="lead", password=PASSWORD, role="supervisor", team_id=other.id)
        for _ in range(CALLS):
            create_scored_call(s, agent_id, GOOD)  # started now: this week's
        s.commit()
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        yield server, factory
    engine.dispose()


def test_concurrent_draws_never_exceed_the_plan(server_with_calls) -> None:  # type: ignore[no-untyped-def]
    server, factory = server_with_calls
    qa, admin = server.token("qa"), server.token("admin")
    me = httpx.get(f"{server.url}/api/auth/me", headers=qa, timeout=60).json()
    created = httpx.post(
        f"{server.url}/api/sampling/plans",
        json={"name": "Weekly three", "calls_per_agent": N, "period": "week", "reviewer_id": me["id"]},
        headers=qa,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    plan = created.json()
    assert (plan["drawn"], plan["target"]) == (0, N)
    url = f"{server.url}/api/sampling/plans/{plan['id']}/draw"
    assert httpx.post(url, headers=server.token("tom"), timeout=60).status_code == 403
    assert httpx.post(url, headers=server.token("lead"), timeout=60).status_code == 404

    page = server.page_client("qa")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get("/sampling").text)
    assert csrf
    cookies = dict(page.cookies)

    def send(job: str) -> tuple[int, int]:
        if job.startswith("form"):
            with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
                resp = client.post(f"/sampling/{plan['id']}/draw", data={"csrf": csrf.group(1)})
                return resp.status_code, -1
        resp = httpx.post(url, headers=qa if job == "qa" else admin, timeout=60)
        return resp.status_code, len(resp.json().get("review_ids", [])) if resp.status_code == 200 else 0

    jobs = ["qa", "admin", "qa", "form-1", "form-2"]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(send, jobs))
    assert all(code in (200, 409) for code, _ in results[:3]), (results, server.log_text()[-2000:])
    assert all(code == 303 for code, _ in results[3:]), results
    with factory() as s:
        slots = s.scalar(select(func.count(PlanSample.id)))
        reviews = s.scalars(select(Review).where(Review.sampled)).all()
    assert slots == N and len(reviews) == N
    assert {r.assignee_id for r in reviews} == {me["id"]}
    listed = httpx.get(f"{server.url}/api/sampling/plans", headers=qa, timeout=60).json()
    assert [(p["name"], p["drawn"], p["reviewed"]) for p in listed] == [("Weekly three", N, 0)]
    queue = page.get("/queue?reason=sample").text
    assert queue.count("Random sample: Weekly three") == N
