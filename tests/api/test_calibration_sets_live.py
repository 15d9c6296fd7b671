"""A calibration set against a real server (callqa serve): QA opens a set of three calls for three reviewers
on the page; each reviewer scores each call blind (one sends a call's form twice at once and through the
API at the same moment: stored once); before the reveal nobody can read another's verdicts, a call's
results or the summary (page, CSV or JSON: 409); after it the CSV and the JSON summary hold every reviewer
and the machine."""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from callqa.services.users import create_user
from models import CalibrationVerdict, make_engine, make_session_factory
from scoring.scorecard import load_scorecard
from tests.conftest import create_scored_call, fresh_database
from tests.live import PASSWORD, LiveServer, live_server, seed_database, server_env

ITEMS = [i.id for i in load_scorecard(None).items]
REVIEWERS = ("qa", "rev1", "admin")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_with_calls(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = fresh_database(request.param, tmp_path)
    agent_id = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        create_user(s, username="rev1", password=PASSWORD, role="qa")
        calls = [create_scored_call(s, agent_id, {i: True for i in ITEMS}) for _ in range(3)]
        s.commit()
        call_ids = [c.id for c in calls]
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        yield server, factory, call_ids
    engine.dispose()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _user_ids(server: LiveServer) -> dict[str, int]:
    return {
        name: httpx.get(f"{server.url}/api/auth/me", headers=server.token(name), timeout=60).json()["id"]
        for name in REVIEWERS
    }


def test_a_set_is_scored_blind_once_per_call_and_summarised(server_with_calls) -> None:  # type: ignore[no-untyped-def]
    server, factory, call_ids = server_with_calls
    ids = _user_ids(server)
    qa = server.page_client("qa")
    form = {
        "csrf": _csrf(qa.get("/calibrations").text),
        "call_ids": ", ".join(map(str, call_ids)),
        "title": "Week 49",
        "member_id": [str(ids[n]) for n in REVIEWERS],
        "expert_id": str(ids["qa"]),
    }
    opened = qa.post("/calibration-sets", data=form)
    assert opened.status_code == 303, opened.text
    set_url = opened.headers["location"].split("?")[0]

    rev1 = server.page_client("rev1")
    page = rev1.get(set_url).text
    sessions = [int(n) for n in re.findall(r'<a href="/calibrations/(\d+)">Score call', page)]
    assert len(sessions) == 3, page
    verdicts = {"qa": "pass", "rev1": "pass", "admin": "fail"}
    tokens = {name: server.token(name) for name in REVIEWERS}

    def api_send(name: str, session_id: int) -> int:
        body = {"verdicts": {i: {"verdict": verdicts[name], "comment": ""} for i in ITEMS}}
        return httpx.post(
            f"{server.url}/api/calibrations/{session_id}/verdicts",
            json=body,
            headers=tokens[name],
            timeout=60,
        ).status_code

    # rev1 sends the first call's form twice at once and the API at the same moment.
    csrf = _csrf(rev1.get(f"/calibrations/{sessions[0]}").text)
    cookies = dict(rev1.cookies)

    def form_send(_: int) -> int:
        with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
            data = {"csrf": csrf} | {f"verdict__{i}": "pass" for i in ITEMS}
            return client.post(f"/calibrations/{sessions[0]}/verdicts", data=data).status_code

    with ThreadPoolExecutor(3) as pool:
        sent = [
            pool.submit(form_send, 1),
            pool.submit(form_send, 2),
            pool.submit(api_send, "rev1", sessions[0]),
        ]
        codes = [f.result() for f in sent]
    assert codes[:2] == [303, 303] and codes[2] in (200, 409), codes
    with factory() as s:
        stored = s.scalar(
            select(func.count())
            .select_from(CalibrationVerdict)
            .where(CalibrationVerdict.session_id == sessions[0], CalibrationVerdict.user_id == ids["rev1"])
        )
    assert stored == len(ITEMS)

    # Blind: before the reveal, nothing of anyone else's can be read.
    for session_id in sessions:
        assert api_send("qa", session_id) == 200
    assert api_send("admin", sessions[1]) == 200
    seen = httpx.get(
        f"{server.url}/api/calibrations/{sessions[1]}", headers=tokens["rev1"], timeout=60
    ).json()
    assert seen["results"] is None and seen["mine"] == {}
    page = rev1.get(set_url).text
    assert "set-raters" not in page and "scored" in page and "Fail" not in page
    assert rev1.get(f"{set_url}/summary.csv").status_code == 409
    set_id = int(set_url.rsplit("/", 1)[1])
    api_set = f"{server.url}/api/calibration-sets/{set_id}"
    early_summary = httpx.get(f"{api_set}/summary", headers=tokens["rev1"], timeout=60)
    assert early_summary.status_code == 409 and "revealed" in early_summary.json()["detail"]
    progress = httpx.get(api_set, headers=tokens["rev1"], timeout=60).json()
    assert progress["state"] == "open" and sorted(progress["members"]) == sorted(ids.values())
    assert [c["session_id"] for c in progress["calls"]] == sessions
    assert [c["submitted"] for c in progress["calls"]] == [
        sorted([ids["qa"], ids["rev1"]]),
        sorted([ids["qa"], ids["admin"]]),
        [ids["qa"]],
    ]  # who, never what
    assert httpx.get(api_set, headers=server.token("tom"), timeout=60).status_code == 403
    assert (
        httpx.post(
            f"{server.url}/api/calibrations/{sessions[1]}/reveal", headers=tokens["qa"], timeout=60
        ).status_code
        == 409
    )  # a set's call is revealed with its set only
    reveal = {"csrf": _csrf(qa.get(set_url).text)}
    early = qa.post(f"{set_url}/reveal", data=reveal)
    assert "wait for two" in httpx.URL(early.headers["location"]).params["msg"]  # call 3: only qa scored

    for session_id in sessions[1:]:
        assert api_send("rev1", session_id) == 200
    assert qa.post(f"{set_url}/reveal", data=reveal).status_code == 303
    assert "set-raters" in rev1.get(set_url).text
    exported = rev1.get(f"{set_url}/summary.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = {(r[0], r[1]): r for r in csv.reader(io.StringIO(exported.text)) if r}
    assert rows[("reviewer", "rev1")][2:4] == [str(3 * len(ITEMS)), "1.000"]
    assert rows[("reviewer", "admin")][2:4] == [str(len(ITEMS)), "0.000"]  # it failed what the key passed
    assert rows[("machine", "the machine")][3] == "1.000"  # the machine passed every call, as the key
    summary = httpx.get(f"{api_set}/summary", headers=tokens["rev1"], timeout=60)
    assert summary.status_code == 200, summary.text
    raters = {r["name"]: r for r in summary.json()["raters"]}
    assert (raters["rev1"]["compared"], raters["rev1"]["agreement"]) == (3 * len(ITEMS), 1.0)
    assert (raters["admin"]["user_id"], raters["admin"]["agreement"]) == (ids["admin"], 0.0)
    assert (raters["the machine"]["user_id"], raters["the machine"]["agreement"]) == (None, 1.0)
    assert [i["item"] for i in summary.json()["items"]] == ITEMS
    listed = httpx.get(f"{server.url}/api/calibration-sets", headers=tokens["admin"], timeout=60).json()
    assert [(c["id"], c["state"]) for c in listed] == [(set_id, "revealed")]
