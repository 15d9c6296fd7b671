"""The QA workflow through the API and the pages: every role against every route (no leaks), overrides,
disputes, summaries."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from callqa.services.processing import flag_severity
from models import Recording
from scoring.review import flag_call
from scoring.scorecard import load_scorecard
from tests.api.conftest import ApiEnv
from tests.conftest import create_scored_call, make_analysis

CARD = load_scorecard(None)
RUDE = {"greeting": True, "closing": True, "courtesy": False, "empathy": None, "no_dead_air": True}


def scored(api: ApiEnv, agent_id: int, verdicts: dict[str, bool | None]) -> tuple[int, int]:
    """A scored, flagged call for `agent_id`: (call id, review id)."""
    with api.factory() as s:
        analysis = make_analysis(violations=[("rude", "uncertain")], caller_end="neg")
        call = create_scored_call(s, agent_id, verdicts, analysis=analysis)
        s.add(
            Recording(
                call_id=call.id,
                path="/nonexistent.wav",
                format="wav",
                duration_s=10.0,
                channels=2,
                sample_rate=8000,
                sha256=f"{call.id:064x}",  # one recording per content: distinct per call
                original_filename="x.wav",
                size_bytes=1,
            )
        )
        s.flush()
        review = flag_call(s, call, weights=flag_severity(api.settings), sample_per_week=0, sample_rate=0.0)
        assert review is not None
        s.commit()
        return call.id, review.id


@pytest.fixture
def calls(api: ApiEnv) -> dict[str, int]:
    tom_call, tom_review = scored(api, api.agent_id, RUDE)
    ann_call, _ = scored(api, api.other_agent_id, RUDE)
    return {"tom_call": tom_call, "tom_review": tom_review, "ann_call": ann_call}


# (method, path, body) → expected status per role; {tom_call}, {ann_call}, {tom_review} are filled in.
MATRIX = [
    ("GET", "/api/reviews", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 401}),
    ("GET", "/api/reviews/agreement", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 401}),
    ("GET", "/api/reviews/{tom_review}", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 401}),
    (
        "POST",
        "/api/reviews/{tom_review}/assign",
        {"user_id": None},
        {"admin": 200, "qa": 200, "tom": 403, "anon": 401},
    ),
    ("GET", "/api/disputes", None, {"admin": 200, "qa": 200, "tom": 200, "anon": 401}),
    ("GET", "/api/agents/{tom_agent}/summary", None, {"admin": 200, "qa": 200, "tom": 200, "anon": 401}),
    ("GET", "/api/agents/{ann_agent}/summary", None, {"admin": 200, "qa": 200, "tom": 404, "anon": 401}),
    ("GET", "/api/overview", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 401}),
    (
        "POST",
        "/api/calls/{ann_call}/disputes",
        {"item": "courtesy", "comment": "x"},
        {"admin": 403, "qa": 403, "tom": 404, "anon": 401},
    ),
    ("GET", "/api/calls/{ann_call}", None, {"admin": 200, "qa": 200, "tom": 404, "anon": 401}),
    ("GET", "/api/calls/{ann_call}/qa", None, {"admin": 200, "qa": 200, "tom": 404, "anon": 401}),
    ("GET", "/api/calls/{ann_call}/audio", None, {"admin": 404, "qa": 404, "tom": 404, "anon": 401}),
    ("GET", "/api/calls/{tom_call}/score", None, {"admin": 200, "qa": 200, "tom": 200, "anon": 401}),
    ("GET", "/calls/{ann_call}", None, {"admin": 200, "qa": 200, "tom": 404, "anon": 303}),
    ("GET", "/calls/{tom_call}", None, {"admin": 200, "qa": 200, "tom": 200, "anon": 303}),
    ("GET", "/queue", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 303}),
    ("GET", "/overview", None, {"admin": 200, "qa": 200, "tom": 403, "anon": 303}),
    ("GET", "/me", None, {"admin": 404, "qa": 404, "tom": 200, "anon": 303}),
    ("GET", "/agents/{ann_agent}", None, {"admin": 200, "qa": 200, "tom": 404, "anon": 303}),
    ("GET", "/admin/users", None, {"admin": 200, "qa": 403, "tom": 403, "anon": 303}),
    (
        "PUT",
        "/api/agents/{tom_agent}/manual-scores/2026-11",
        {"knowledge": 80, "performance": 70},
        {"admin": 200, "qa": 200, "tom": 403, "anon": 401},
    ),
    (
        "POST",
        "/api/agents",
        {"name": "New Hire", "skills": {"billing": 2}},
        {"admin": 201, "qa": 403, "tom": 403, "anon": 401},
    ),
    (
        "PUT",
        "/api/agents/{ann_agent}/skills",
        {"sales": 4},
        {"admin": 200, "qa": 403, "tom": 403, "anon": 401},
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_authorization_matrix(
    api: ApiEnv, calls: dict[str, int], method: str, path: str, body: object, expected: dict[str, int]
) -> None:
    url = path.format(**calls, tom_agent=api.agent_id, ann_agent=api.other_agent_id)
    page = not url.startswith("/api/")
    for role, want in expected.items():
        api.client.cookies.clear()
        headers = {}
        if role != "anon" and page:  # pages authenticate with the session cookie set at login
            login = {"username": role, "password": "correct-horse-battery"}
            assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
        elif role != "anon":
            headers = api.token(role)
        resp = api.client.request(method, url, json=body, headers=headers, follow_redirects=False)
        assert resp.status_code == want, f"{role} {method} {url}: {resp.status_code} {resp.text[:200]}"
        if want == 404:
            assert "Ann" not in resp.text  # a refused agent learns nothing about the other call


def test_override_dispute_and_agreement_through_the_api(api: ApiEnv, calls: dict[str, int]) -> None:
    qa, tom = api.token("qa"), api.token("tom")
    queue = api.client.get("/api/reviews", headers=qa).json()
    assert [r["call_id"] for r in queue][:2] and queue[0]["reasons"][0] == "critical item failed: courtesy"
    done = api.client.post(
        f"/api/reviews/{calls['tom_review']}",
        json={"decisions": {"courtesy": {"passed": True, "comment": "caller was quoting"}}},
        headers=qa,
    ).json()
    assert done["state"] == "done" and done["final_total"] == 100.0 and done["machine_total"] == 40.0
    bad = api.client.post(
        f"/api/reviews/{calls['tom_review']}", json={"decisions": {"x": {"passed": True}}}, headers=qa
    )
    assert bad.status_code == 422
    assert api.client.get("/api/reviews/agreement", headers=qa).json()["courtesy"]["rate"] == 0.0
    summary = api.client.get(f"/api/agents/{api.agent_id}/summary", headers=tom).json()
    assert summary["averages"]["7d"] == 100.0

    filed = api.client.post(
        f"/api/calls/{calls['tom_call']}/disputes", json={"item": "greeting", "comment": "fine"}, headers=tom
    )
    assert filed.status_code == 201
    resolved = api.client.post(
        f"/api/disputes/{filed.json()['id']}/resolve", json={"upheld": False, "resolution": "ok"}, headers=qa
    )
    assert resolved.json()["state"] == "rejected"
    assert (
        api.client.post(
            f"/api/disputes/{filed.json()['id']}/resolve", json={"upheld": True}, headers=qa
        ).status_code
        == 409
    )


def test_pages_use_a_session_cookie_and_forms_need_their_token(api: ApiEnv, calls: dict[str, int]) -> None:
    client = api.client
    wrong = client.post("/login", data={"username": "qa", "password": "nope"})
    assert "Wrong username or password" in wrong.text
    resp = client.post(
        "/login", data={"username": "qa", "password": "correct-horse-battery"}, follow_redirects=False
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/queue"
    cookie = resp.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get(f"/calls/{calls['tom_call']}")
    assert page.status_code == 200
    assert "calm down" in page.text and 'id="sentiment"' in page.text
    # The finding in words (scoring.glossary), never the internal category or the raw match score.
    assert "Rude or harsh words" in page.text and "Needs review" in page.text and "(88" not in page.text
    forged = client.post(
        f"/calls/{calls['tom_call']}/review", data={"csrf": "forged", "verdict__courtesy": "pass"}
    )
    assert forged.status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    saved = client.post(
        f"/calls/{calls['tom_call']}/review",
        data={"csrf": token, "verdict__courtesy": "pass", "comment__courtesy": "quote"},
    )
    assert saved.status_code == 200 and "Review saved, final score 100" in saved.text
    client.get("/logout")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_manual_scores_complete_the_monthly_composite(api: ApiEnv, calls: dict[str, int]) -> None:
    qa = api.token("qa")
    bad = api.client.put(
        f"/api/agents/{api.agent_id}/manual-scores/2026-13", json={"knowledge": 1}, headers=qa
    )
    assert bad.status_code == 422
    out_of_range = api.client.put(
        f"/api/agents/{api.agent_id}/manual-scores/2026-11", json={"knowledge": 120}, headers=qa
    )
    assert out_of_range.status_code == 422
    from datetime import UTC, datetime

    month = datetime.now(UTC).strftime("%Y-%m")
    ok = api.client.put(
        f"/api/agents/{api.agent_id}/manual-scores/{month}",
        json={"knowledge": 80, "performance": 60},
        headers=qa,
    )
    assert ok.status_code == 200
    composite = api.client.get(f"/api/agents/{api.agent_id}/summary", headers=qa).json()["composite"]
    assert composite["missing"] == [] and composite["composite"] is not None


def test_the_call_page_shows_a_certain_remarks_kind_as_the_models_guess(api: ApiEnv) -> None:
    certain = make_analysis(violations=[("rude", "fail")])
    guessed = replace(certain, violations=[replace(certain.violations[0], category_sure=False)])
    with api.factory() as s:
        sure_call = create_scored_call(s, api.agent_id, RUDE, analysis=certain).id
        guessed_call = create_scored_call(s, api.agent_id, RUDE, analysis=guessed).id
        s.commit()
    api.client.post("/login", data={"username": "qa", "password": "correct-horse-battery"})
    note = "a forbidden remark was said; this kind is the model's likeliest"
    assert note not in api.client.get(f"/calls/{sure_call}").text
    page = api.client.get(f"/calls/{guessed_call}").text
    assert "Rude or harsh words" in page and note in page
