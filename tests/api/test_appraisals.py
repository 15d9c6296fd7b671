"""Appraisals through the API and the page: an agent's own self-evaluation, the manager's (admin's)
evaluation, 30/70 combined beside the measured composite; one of each per month, a second answers 409."""

from __future__ import annotations

from sqlalchemy import select

from callqa.services.users import create_user
from models import Appraisal
from routing import teams
from tests.api.conftest import PASSWORD, ApiEnv

SELF = {"knowledge": 80, "skills": 70, "attitude": 90, "performance": 60, "comment": "a good month"}
MANAGER = {"knowledge": 60, "skills": 50, "attitude": 70, "performance": 40}


def test_self_and_manager_evaluations_combine_30_70_once_per_month(api: ApiEnv) -> None:
    client, tom, ann = api.client, api.agent_id, api.other_agent_id
    tom_h, admin, qa = api.token("tom"), api.token("admin"), api.token("qa")
    url = f"/api/appraisals/{tom}/2026-11"

    # Only Tom gives Tom's self-evaluation; only an admin the manager's.
    assert client.post(f"{url}/self", json=SELF, headers=admin).status_code == 403
    assert client.post(f"/api/appraisals/{ann}/2026-11/self", json=SELF, headers=tom_h).status_code == 403
    assert client.post(f"{url}/manager", json=MANAGER, headers=tom_h).status_code == 403
    assert client.post(f"{url}/manager", json=MANAGER, headers=qa).status_code == 403
    assert client.post(f"{url}/self", json={**SELF, "skills": 101}, headers=tom_h).status_code == 422
    assert client.post(f"/api/appraisals/{tom}/2026-13/self", json=SELF, headers=tom_h).status_code == 422

    first = client.post(f"{url}/self", json=SELF, headers=tom_h)
    assert first.status_code == 201, first.text
    # Weights of the default scorecard's composite: 0.2 knowledge, 0.3 skills, 0.2 attitude, 0.3 performance.
    assert first.json()["self_evaluation"]["total"] == 73.0 and first.json()["combined"] is None
    again = client.post(f"{url}/self", json={**SELF, "skills": 100}, headers=tom_h)
    assert again.status_code == 409 and again.json()["error"] == "AppraisalExistsError"
    assert "already has a self evaluation for 2026-11" in again.json()["detail"]

    report = client.post(f"{url}/manager", json=MANAGER, headers=admin)
    assert report.status_code == 201, report.text
    body = report.json()
    assert body["manager_evaluation"]["total"] == 53.0 and body["self_weight"] == 0.3
    assert body["combined"] == 59.0  # 0.3 × 73 + 0.7 × 53
    assert body["composite"]["month"] == "2026-11" and "knowledge" in body["composite"]["missing"]
    assert client.post(f"{url}/manager", json=MANAGER, headers=admin).status_code == 409
    with api.factory() as s:  # the first submissions stand, nothing was merged
        rows = s.scalars(select(Appraisal).where(Appraisal.agent_id == tom)).all()
        assert sorted((r.kind, r.parts["skills"]) for r in rows) == [("manager", 50.0), ("self", 70.0)]

    # Reading: Tom his own only; staff everyone, also as CSV.
    assert client.get(url, headers=tom_h).json()["combined"] == 59.0
    assert client.get(f"/api/appraisals/{ann}/2026-11", headers=tom_h).status_code == 404
    own = client.get("/api/appraisals?period=2026-11", headers=tom_h).json()
    assert [r["agent_id"] for r in own] == [tom]
    assert len(client.get("/api/appraisals?period=2026-11", headers=qa).json()) == 2
    assert client.get("/api/appraisals/export.csv?period=2026-11", headers=tom_h).status_code == 403
    lines = client.get("/api/appraisals/export.csv?period=2026-11", headers=qa).text.splitlines()
    assert lines[0] == "agent_id,name,period,self,manager,combined,composite"
    assert f"{tom},Tom Baker,2026-11,73.0,53.0,59.0," in lines


def test_the_page_shows_an_agent_only_their_own_form_and_a_second_submit_is_refused(api: ApiEnv) -> None:
    client, tom = api.client, api.agent_id
    assert client.post("/login", data={"username": "tom", "password": PASSWORD}, follow_redirects=False)
    page = client.get("/appraisals", params={"period": "2026-10"})
    assert page.status_code == 200 and "Appraisals, 2026-10" in page.text
    assert "Ann Lee" not in page.text and page.text.count('data-kind="self"') == 1
    assert 'data-kind="manager"' not in page.text
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, **{k: str(v) for k, v in SELF.items()}}
    done = client.post(f"/appraisals/{tom}/2026-10/self", data=form)
    assert done.status_code == 200 and "Self evaluation for 2026-10 saved" in done.text
    assert 'data-kind="self"' not in done.text and "73.0" in done.text
    twice = client.post(f"/appraisals/{tom}/2026-10/self", data=form)
    assert "already has a self evaluation" in twice.text
    assert client.post(f"/appraisals/{api.other_agent_id}/2026-10/self", data=form).status_code == 403
    client.get("/logout")
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    staff = client.get("/appraisals", params={"period": "2026-10"}).text
    assert "Ann Lee" in staff and staff.count('data-kind="manager"') == 2
    assert f'href="/appraisals/{tom}/2026-10"' in staff


def test_an_agents_appraisal_prints_on_one_page_for_those_who_may_see_it(api: ApiEnv) -> None:
    client, tom = api.client, api.agent_id
    url = f"/api/appraisals/{tom}/2026-11"
    assert client.post(f"{url}/self", json=SELF, headers=api.token("tom")).status_code == 201
    assert client.post(f"{url}/manager", json=MANAGER, headers=api.token("admin")).status_code == 201
    assert client.post("/login", data={"username": "tom", "password": PASSWORD}, follow_redirects=False)
    page = client.get(f"/appraisals/{tom}/2026-11")
    assert page.status_code == 200 and "Appraisal: Tom Baker, 2026-11" in page.text
    parts = page.text[page.text.index('id="appraisal-parts"') : page.text.index("</table>")]
    # Each part as the agent and the manager rated it, with its weight; then the totals.
    assert '<th scope="row">Skills</th><td>30 %</td>' in parts and "70.0" in parts and "50.0" in parts
    assert "<th>73.0</th>" in parts and "<th>53.0</th>" in parts
    assert "Appraisal: 59.0" in page.text and "a good month" in page.text
    assert client.get(f"/appraisals/{api.other_agent_id}/2026-11").status_code == 404  # not his
    assert client.get(f"/appraisals/{tom}/2026-13").status_code == 422
    client.get("/logout")
    assert client.post("/login", data={"username": "qa", "password": PASSWORD}, follow_redirects=False)
    other = client.get(f"/appraisals/{api.other_agent_id}/2026-11")
    assert other.status_code == 200 and other.text.count("not yet") == 8  # four parts, two evaluations
    assert "@media print" in client.get("/static/app.css").text  # the navigation is left off the print


def test_a_supervisor_evaluates_and_reads_only_their_teams_agents(api: ApiEnv) -> None:
    client, tom, ann = api.client, api.agent_id, api.other_agent_id
    with api.factory() as s:
        team = teams.create_team(s, "Billing")
        teams.set_members(s, team.id, [tom])
        create_user(s, username="sue", password=PASSWORD, role="supervisor", team_id=team.id)
        s.commit()
    sue = api.token("sue")
    done = client.post(f"/api/appraisals/{tom}/2026-11/manager", json=MANAGER, headers=sue)
    assert done.status_code == 201 and done.json()["manager_evaluation"]["total"] == 53.0
    assert client.post(f"/api/appraisals/{ann}/2026-11/manager", json=MANAGER, headers=sue).status_code == 403
    assert client.get(f"/api/appraisals/{ann}/2026-11", headers=sue).status_code == 404
    assert [r["agent_id"] for r in client.get("/api/appraisals?period=2026-11", headers=sue).json()] == [tom]
    assert client.get("/api/kpis", params={"agent_id": ann}, headers=sue).status_code == 404
    assert client.get("/api/kpis", params={"team_id": team.id}, headers=sue).json()["team_id"] == team.id
