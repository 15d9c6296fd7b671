"""Sampling plans in a real headless Chromium on a live server: a supervisor plans for their own team
only, draws it, and finds the drawn calls assigned to them in the queue; a refused plan is said beside the
form; QA staff see the team's plan and switch it off; the page has no serious axe violation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import Agent, make_engine, make_session_factory
from routing.teams import list_teams, set_members
from tests.conftest import create_scored_call
from tests.pages.conftest import SCREENSHOTS, Site, login
from tests.pages.test_accessibility import serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]

GOOD = {"greeting": True, "closing": True, "courtesy": True, "empathy": None, "no_dead_air": True}


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)  # for axe
    yield context.new_page()
    context.close()


def add_team_agent_with_calls(site: Site, calls: int) -> None:
    """Rae joins Priya's team (sam's) with `calls` scored calls of today that no rule flagged."""
    engine = make_engine(site.db_url)
    with make_session_factory(engine)() as s:
        rae = Agent(name="Rae Kim")
        s.add(rae)
        s.flush()
        for _ in range(calls):
            create_scored_call(s, rae.id, GOOD, at=datetime.now(UTC))
        [team] = [t for t in list_teams(s) if t.name == "Billing East"]
        set_members(s, team.id, [site.agent_id, rae.id])
        s.commit()
    engine.dispose()


def test_a_supervisor_plans_draws_and_reviews_their_teams_sample(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    add_team_agent_with_calls(site, 4)
    login(page, site, "sam")
    page.click("nav a[href='/sampling']")
    page.wait_for_url("**/sampling")
    # Only his own team to choose; "every agent" is not offered to a supervisor.
    assert page.locator("select[name=team_id] option").all_inner_texts() == ["team Billing East"]
    page.fill("input[name=name]", "  ")
    page.click("#new-plan button")
    page.wait_for_load_state()
    assert page.locator("#sampling-error").inner_text() == "give the plan a name"
    page.fill("input[name=name]", "East weekly")
    page.fill("input[name=calls_per_agent]", "2")
    page.select_option("select[name=reviewer_id]", label="sam (supervisor)")
    page.click("#new-plan button")
    page.wait_for_load_state()
    assert "Plan 'East weekly' added" in page.locator(".flash").inner_text()
    row = page.locator("#plans tr", has_text="East weekly")
    assert "0 of 4 drawn" in row.locator("td.progress").inner_text()  # 2 agents × 2
    # Keyboard only: focus the draw button and press Enter.
    row.locator("button", has_text="Draw now").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".flash").inner_text() == "East weekly: 2 calls drawn into the queue"
    assert "2 of 4 drawn, 0 reviewed" in page.locator("#plans tr", has_text="East weekly").inner_text()
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "sampling.png"), full_page=True)
    page.click("text=Sampled calls in the queue")
    page.wait_for_load_state()
    rows = page.locator("#queue tbody tr", has_text="Random sample: East weekly")
    assert rows.count() == 2
    assert set(rows.locator("td:nth-child(4)").all_inner_texts()) == {"Rae Kim"}
    assert set(rows.locator("td:nth-child(9)").all_inner_texts()) == {"sam"}
    page.goto(f"{site.url}/sampling")
    page.locator("#plans button", has_text="Draw now").click()
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text() == "East weekly: nothing more to draw"  # Rae has 2, Priya none
    page.goto(f"{site.url}/logout")

    # QA sees the team's plan among all plans and switches it off.
    login(page, site, "qa")
    page.goto(f"{site.url}/sampling")
    assert page.locator("select[name=team_id] option").first.inner_text() == "every agent"
    page.locator("#plans button", has_text="Switch East weekly off").click()
    page.wait_for_load_state()
    row = page.locator("#plans tr", has_text="East weekly")
    assert (
        "off" in row.locator(".tag").inner_text() and row.locator("button", has_text="Draw now").count() == 0
    )
    assert serious_violations(page) == []


def test_an_agent_gets_no_sampling_page(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "priya")
    response = page.goto(f"{site.url}/sampling")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
