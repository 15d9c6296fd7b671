"""A supervisor through the JSON API: their team's reviews, calls and disputes only (another team's answer
404 as if missing), assigning within the team, resolving the team's disputes, told of new ones; no admin
routes."""

from __future__ import annotations

from sqlalchemy import select

from callqa.services.users import create_user, update_agent
from models import Agent, Notification, User
from routing.teams import create_team
from tests.api.conftest import PASSWORD, ApiEnv
from tests.api.test_reviews import RUDE, scored


def _team_of_tom(api: ApiEnv) -> None:
    with api.factory() as s:
        team = create_team(s, "Billing")
        tom = s.get(Agent, api.agent_id)
        assert tom is not None
        update_agent(s, tom, active=True, team_id=team.id)
        create_user(s, username="sam", password=PASSWORD, role="supervisor", team_id=team.id)
        other = create_team(s, "Sales")
        create_user(s, username="sue", password=PASSWORD, role="supervisor", team_id=other.id)
        s.commit()


def test_a_supervisor_works_their_teams_queue_and_disputes_only(api: ApiEnv) -> None:
    _team_of_tom(api)
    tom_call, tom_review = scored(api, api.agent_id, RUDE)
    ann_call, ann_review = scored(api, api.other_agent_id, RUDE)
    sam, sue = api.token("sam"), api.token("sue")
    c = api.client

    queue = c.get("/api/reviews", headers=sam).json()
    assert [r["id"] for r in queue] == [tom_review]
    assert c.get("/api/reviews", headers=sue).json() == []
    assert c.get(f"/api/reviews/{ann_review}", headers=sam).status_code == 404
    assert c.get(f"/api/calls/{ann_call}", headers=sam).status_code == 404
    assert c.get(f"/api/calls/{tom_call}", headers=sam).status_code == 200
    assert c.get(f"/api/agents/{api.other_agent_id}/summary", headers=sam).status_code == 404
    assert [a["agent_id"] for a in c.get("/api/overview", headers=sam).json()["agents"]] == [api.agent_id]

    # Assign within the team (to themselves or QA staff), never to another team's supervisor.
    with api.factory() as s:
        ids = {u: s.scalar(select(User.id).where(User.username == u)) for u in ("sam", "sue", "qa")}
    assert (
        c.post(f"/api/reviews/{tom_review}/assign", json={"user_id": ids["sam"]}, headers=sam).json()[
            "assignee_id"
        ]
        == ids["sam"]
    )
    refused = c.post(f"/api/reviews/{tom_review}/assign", json={"user_id": ids["sue"]}, headers=sam)
    assert refused.status_code == 422 and "another team" in refused.text
    assert c.post(f"/api/reviews/{ann_review}/assign", json={"user_id": None}, headers=sam).status_code == 404

    # Tom disputes: sam (his team's supervisor) and QA staff are told, sue is not; sam resolves it.
    dispute = c.post(
        f"/api/calls/{tom_call}/disputes",
        json={"item": "courtesy", "comment": "I was polite"},
        headers=api.token("tom"),
    ).json()
    with api.factory() as s:
        told = set(s.scalars(select(Notification.user_id).where(Notification.kind == "dispute_filed")))
    assert ids["sam"] in told and ids["qa"] in told and ids["sue"] not in told
    assert [d["id"] for d in c.get("/api/disputes", headers=sam).json()] == [dispute["id"]]
    assert c.get("/api/disputes", headers=sue).json() == []
    assert (
        c.post(
            f"/api/disputes/{dispute['id']}/resolve", json={"upheld": True, "resolution": "x"}, headers=sue
        ).status_code
        == 404
    )
    resolved = c.post(
        f"/api/disputes/{dispute['id']}/resolve",
        json={"upheld": True, "resolution": "Polite throughout"},
        headers=sam,
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "upheld"

    # Not an admin.
    assert c.get("/api/webhooks", headers=sam).status_code == 403
    assert c.post("/api/agents", json={"name": "X"}, headers=sam).status_code == 403


def test_a_supervisors_callbacks_and_overview_kpis_are_their_teams(api: ApiEnv) -> None:
    _team_of_tom(api)
    admin, sam, qa = api.token("admin"), api.token("sam"), api.token("qa")
    c = api.client
    made = {
        who: c.post("/api/callbacks", json={"number": f"+1 555 07{n:02d}", **body}, headers=admin).json()[
            "id"
        ]
        for n, (who, body) in enumerate(
            (("tom", {"agent_id": api.agent_id}), ("ann", {"agent_id": api.other_agent_id}), ("anyone", {}))
        )
    }
    assert sorted(c["id"] for c in c.get("/api/callbacks", headers=sam).json()) == sorted(
        [made["tom"], made["anyone"]]
    )
    assert len(c.get("/api/callbacks", headers=qa).json()) == 3
    assert c.get(f"/api/callbacks/{made['ann']}", headers=sam).status_code == 404
    assert c.get("/api/callbacks", params={"agent_id": api.other_agent_id}, headers=sam).status_code == 404
    tried = c.post(f"/api/callbacks/{made['ann']}/attempts", json={"outcome": "no_answer"}, headers=sam)
    assert tried.status_code == 404
    to_ann = c.post(
        f"/api/callbacks/{made['anyone']}/assign", json={"agent_id": api.other_agent_id}, headers=sam
    )
    assert to_ann.status_code == 404
    to_tom = c.post(f"/api/callbacks/{made['anyone']}/assign", json={"agent_id": api.agent_id}, headers=sam)
    assert to_tom.status_code == 200

    # The pages: the same list, and the overview's KPI cards say whose they are.
    login = c.post("/login", data={"username": "sam", "password": PASSWORD}, follow_redirects=False)
    assert login.status_code == 303
    listed = c.get("/callbacks").text
    assert "+1 555 0700" in listed and "+1 555 0701" not in listed and "+1 555 0702" in listed
    assert "Your team&#39;s KPIs" in c.get("/overview").text
