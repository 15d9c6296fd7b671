"""People in a real headless Chromium: an admin adds a team, an agent with skills, languages, extension,
tier and team, disables them, and a supervisor login for the team; a supervisor (sam, Priya's team) works
only the team's queue: Ann's calls and agent page answer 404, the overview lists the team only."""

from __future__ import annotations

import re

import pytest

from tests.pages.conftest import EXTRA_CALLS, PASSWORD, SCREENSHOTS, Site, login

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]


def test_an_admin_adds_a_team_an_agent_and_a_supervisor(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "admin")
    page.goto(f"{site.url}/admin/agents")
    page.fill("form[action='/admin/teams'] input[name=name]", "Sales North")
    page.click("form[action='/admin/teams'] button")
    page.wait_for_load_state()
    assert "Sales North" in page.locator("#teams").inner_text()

    form = page.locator("#add-agent")
    form.locator("input[name=name]").fill("Raj Patel")
    form.locator("input[name=skills]").fill("billing:4, sales:2")
    form.locator("input[name=languages]").fill("en, zh")
    form.locator("input[name=extension]").fill("PJSIP/1042")
    form.locator("input[name=tier]").fill("2")
    form.locator("select[name=team_id]").select_option(label="Sales North")
    form.locator("button").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-agent='Raj Patel']")
    assert re.search(r"billing 4, sales 2\s+en, zh\s+PJSIP/1042\s+2", row.inner_text())
    assert row.locator("select[name=team_id] option:checked").inner_text() == "Sales North"

    # The same extension twice is refused beside the form, not as an error document.
    form = page.locator("#add-agent")
    form.locator("input[name=name]").fill("Copy Cat")
    form.locator("input[name=extension]").fill("PJSIP/1042")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "PJSIP/1042" in page.locator(".error").inner_text()
    assert page.locator("tr[data-agent='Copy Cat']").count() == 0

    row = page.locator("tr[data-agent='Raj Patel']")
    row.locator("select[name=active]").select_option("0")
    row.locator("button").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-agent='Raj Patel']")
    assert row.locator("select[name=active] option:checked").inner_text() == "disabled"
    page.screenshot(path=str(SCREENSHOTS / "admin-agents.png"), full_page=True)

    page.goto(f"{site.url}/admin/users")
    add = page.locator("form[action='/admin/users']")
    add.locator("input[name=username]").fill("sue")
    add.locator("input[name=password]").fill(PASSWORD)
    add.locator("select[name=role]").select_option("supervisor")
    add.locator("select[name=team_id]").select_option(label="Sales North")
    add.locator("button").click()
    page.wait_for_load_state()
    assert re.search(r"sue\s+supervisor\s+Sales North", page.locator("tr[data-user=sue]").inner_text())


def test_a_supervisor_sees_their_team_only(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "sam")
    assert page.url.endswith("/queue")
    page.goto(f"{site.url}/queue?state=all")
    agents = set(page.locator("#queue tbody td:nth-child(4)").all_inner_texts())
    assert agents <= {"Priya Shah"}
    count = int(re.match(r"(\d+) review", page.locator("#count").inner_text()).group(1))  # type: ignore[union-attr]
    assert count < EXTRA_CALLS  # none of Ann's 60
    assert page.locator("select[name=agent_id] option").all_inner_texts()[1:] == ["Priya Shah"]
    page.screenshot(path=str(SCREENSHOTS / "queue-supervisor.png"), full_page=True)

    assert page.goto(f"{site.url}/calls/{site.call_id}").status == 200
    assert page.goto(f"{site.url}/calls/{site.other_call_id}").status == 404
    page.goto(f"{site.url}/overview")
    assert "Priya Shah" in page.content() and "Ann Lee" not in page.content()
    assert page.goto(f"{site.url}/admin/users").status == 403
    assert page.goto(f"{site.url}/disputes").status == 200


def test_a_message_or_error_with_url_characters_reaches_the_page_whole(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    # & and # used to cut the redirect's ?msg= (a new parameter, then the fragment) and ? was kept raw.
    name = "R&D #2? Zürich 客服 50%+"
    login(page, site, "admin")
    page.goto(f"{site.url}/admin/agents")
    for _ in range(2):  # added, then refused as a duplicate: the message, then the error
        page.fill("form[action='/admin/teams'] input[name=name]", name)
        page.click("form[action='/admin/teams'] button")
        page.wait_for_load_state()
    assert page.locator(".error").inner_text().strip().endswith(f"a team named {name!r} exists already")
    page.go_back()
    assert page.locator(".flash").inner_text() == f"Added team {name}"
    assert page.url.startswith(f"{site.url}/admin/agents?msg=") and "#" not in page.url
