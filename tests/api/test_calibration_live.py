"""A calibration against a real server (callqa serve): four reviewers score one call at the same moment
(one of them sends the form twice at once), nobody sees another's verdicts before the reveal, each member's
verdicts are stored exactly once, and the revealed results agree with what was sent."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from callqa.services.users import create_user
from models import CalibrationVerdict, User, make_engine, make_session_factory
from scoring.scorecard import load_scorecard
from tests.conftest import create_scored_call, fresh_database
from tests.live import PASSWORD, live_server, seed_database, server_env

ITEMS = [i.id for i in load_scorecard(None).items]
REVIEWERS = ("qa", "rev1", "rev2", "admin")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_with_call(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = fresh_database(request.param, tmp_path)
    agent_id = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        for name in ("rev1", "rev2"):
            create_user(s, username=name, password=PASSWORD, role="qa")
        call = create_scored_call(s, agent_id, {i: True for i in ITEMS})
        s.commit()
        call_id = call.id
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        yield server, factory, call_id
    engine.dispose()


def test_reviewers_score_at_once_blind_and_once_each(server_with_call) -> None:  # type: ignore[no-untyped-def]
    server, factory, call_id = server_with_call
    tokens = {name: server.token(name) for name in REVIEWERS}
    with factory() as s:
        ids = dict(s.execute(select(User.username, User.id).where(User.username.in_(REVIEWERS))).all())
    created = httpx.post(
        f"{server.url}/api/calibrations",
        json={
            "call_id": call_id,
            "title": "Week 49",
            "member_ids": list(ids.values()),
            "expert_id": ids["qa"],
        },
        headers=tokens["qa"],
        timeout=60,
    )
    assert created.status_code == 201, created.text
    cal_id = created.json()["id"]

    # rev2 scores on the page and sends the form twice at once; the others through the API.
    page = server.page_client("rev2")
    html = page.get(f"/calibrations/{cal_id}").text
    assert "verdicts-form" in html and "What the machine found" not in html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf, html[:500]
    form = {"csrf": csrf.group(1)} | {f"verdict__{i}": "fail" for i in ITEMS}
    cookies = dict(page.cookies)
    wanted = {"qa": "pass", "rev1": "pass", "admin": "na"}

    def send(job: str) -> int:
        if job.startswith("form"):
            with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
                return client.post(f"/calibrations/{cal_id}/verdicts", data=form).status_code
        body = {"verdicts": {i: {"verdict": wanted[job], "comment": ""} for i in ITEMS}}
        return httpx.post(
            f"{server.url}/api/calibrations/{cal_id}/verdicts", json=body, headers=tokens[job], timeout=60
        ).status_code

    jobs = ["qa", "rev1", "admin", "form-1", "form-2"]
    with ThreadPoolExecutor(len(jobs)) as pool:
        codes = dict(zip(jobs, pool.map(send, jobs), strict=True))
    assert codes == {"qa": 200, "rev1": 200, "admin": 200, "form-1": 303, "form-2": 303}, (
        codes,
        server.log_text()[-2000:],
    )
    with factory() as s:
        per_user = dict(
            s.execute(
                select(CalibrationVerdict.user_id, func.count())
                .where(CalibrationVerdict.session_id == cal_id)
                .group_by(CalibrationVerdict.user_id)
            ).all()
        )
    assert per_user == {uid: len(ITEMS) for uid in ids.values()}

    # Blind until revealed: a member reads only their own verdicts.
    seen = httpx.get(f"{server.url}/api/calibrations/{cal_id}", headers=tokens["rev1"], timeout=60).json()
    assert seen["results"] is None and {v["verdict"] for v in seen["mine"].values()} == {"pass"}
    assert all(m["submitted"] for m in seen["members"])
    assert (
        httpx.post(
            f"{server.url}/api/calibrations/{cal_id}/reveal", headers=tokens["rev1"], timeout=60
        ).status_code
        == 422
    )  # neither its creator nor its expert
    revealed = httpx.post(f"{server.url}/api/calibrations/{cal_id}/reveal", headers=tokens["qa"], timeout=60)
    assert revealed.status_code == 200, revealed.text
    results = revealed.json()["results"]
    for row in results["items"]:
        assert row["key"] == "pass" and row["agreeing"] == 2  # the expert (qa) and rev1
        assert row["verdicts"][str(ids["rev2"])] == "fail"
    deviation = {m["user_id"]: m["differing"] for m in results["members"]}
    assert deviation == {ids["qa"]: 0, ids["rev1"]: 0, ids["rev2"]: len(ITEMS), ids["admin"]: len(ITEMS)}
    again = page.get(f"/calibrations/{cal_id}").text
    assert 'id="results"' in again
