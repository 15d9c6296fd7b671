"""Each role uses each page in a real headless Chromium: play and seek the audio by clicking a word,
override a verdict, file and resolve a dispute, read my scores and the overview."""

from __future__ import annotations

import re

import pytest

from tests.pages.conftest import SCREENSHOTS, Site, login

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]


def test_qa_works_the_queue_seeks_the_audio_and_overrides_a_verdict(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "qa")
    assert page.url.endswith("/queue")
    row = page.locator(f"#queue tr:has(a[href='/calls/{site.call_id}'])")
    assert "Critical item failed: Courtesy (no forbidden phrases)" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)
    row.locator("button", has_text="Take").click()
    page.wait_for_url(f"**/calls/{site.call_id}")

    # The audio loads through the session cookie; clicking a word seeks there and plays.
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    word = page.locator(".seg.agent .w").nth(8)
    start = float(word.get_attribute("data-t") or 0)
    word.click()
    page.wait_for_function(f"Math.abs(document.getElementById('audio').currentTime - {start}) < 1.0")
    # The violation is highlighted in the transcript and listed with its evidence.
    assert page.locator(".w.viol").count() >= 2
    verdicts = page.locator(".verdicts").inner_text()
    assert "Passing the buck" in verdicts and "blame_shifting" not in verdicts
    assert page.locator("#sentiment circle").count() >= 2
    page.screenshot(path=str(SCREENSHOTS / "call-review.png"), full_page=True)

    page.select_option("select[name=verdict__courtesy]", "pass")
    page.fill("input[name=comment__courtesy]", "agent was quoting the policy, not refusing")
    page.click("#review-form button[type=submit]")
    page.wait_for_load_state()
    assert "Review saved, final score" in page.locator(".flash").inner_text()
    assert page.locator("#items tr[data-item=courtesy] td.human").inner_text() == "Pass"


def test_agent_sees_own_scores_files_a_dispute_and_cannot_see_others(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "priya")
    assert page.url.endswith("/me")
    assert page.locator("#trend circle").count() >= 1
    assert page.locator("#pass-rates tr").count() >= 3
    page.screenshot(path=str(SCREENSHOTS / "my-scores.png"), full_page=True)
    page.click(f"#recent a[href='/calls/{site.call_id}']")
    page.wait_for_url(f"**/calls/{site.call_id}")
    row = page.locator("#items tr[data-item=greeting]")
    row.locator("summary", has_text="Dispute").click()
    row.locator("textarea").fill("I greeted with the company name at the start")
    row.locator("button", has_text="File dispute").click()
    page.wait_for_load_state()
    assert "Dispute filed for Greeting" in page.locator(".flash").inner_text()
    assert "disputed (open)" in page.locator("#items tr[data-item=greeting]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "dispute.png"), full_page=True)

    response = page.goto(f"{site.url}/calls/{site.other_call_id}")
    assert response is not None and response.status == 404
    assert "Ann" not in page.content()


def test_qa_resolves_the_dispute_and_the_supervisor_overview_shows_agreement(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "qa")
    page.goto(f"{site.url}/calls/{site.call_id}")
    dispute = page.locator(".dispute", has_text="greeting")
    if dispute.count() and "open" in dispute.inner_text():
        dispute.locator("input[name=resolution]").fill("company heard clearly")
        dispute.locator("button", has_text="Uphold").click()
        page.wait_for_load_state()
        assert "Dispute upheld" in page.locator(".flash").inner_text()
    page.goto(f"{site.url}/agents/{site.agent_id}")
    page.fill("input[name=knowledge]", "80")
    page.fill("input[name=performance]", "75")
    page.click("button:has-text('Save manual scores')")
    page.wait_for_load_state()
    assert "Manual scores saved" in page.locator(".flash").inner_text()
    composite_row = page.locator("#composite tr:has-text('Composite')").inner_text()
    assert re.search(r"\d+(\.\d)?", composite_row) and "incomplete" not in composite_row
    page.goto(f"{site.url}/overview")
    ranking = page.locator("#ranking").inner_text()
    assert "Priya Shah" in ranking and "Ann Lee" in ranking
    assert re.search(r"Courtesy \(no forbidden phrases\)\s+1\s+0%", page.locator("#agreement").inner_text())
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)


def test_admin_adds_a_user_and_a_bad_login_is_refused(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "admin")
    page.goto(f"{site.url}/admin/users")
    page.fill("input[name=username]", "newqa")
    page.fill("form[action='/admin/users'] input[name=password]", "long-enough-pw")
    page.select_option("select[name=role]", "qa")
    page.click("form[action='/admin/users'] button")
    page.wait_for_load_state()
    assert "Added newqa" in page.locator(".flash").inner_text()
    assert "newqa" in page.locator("#users").inner_text()
    page.goto(f"{site.url}/logout")
    page.fill("input[name=username]", "newqa")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.locator(".error").inner_text()


def test_admin_disables_enables_and_resets_a_login(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "admin")
    page.goto(f"{site.url}/admin/users")
    page.fill("input[name=username]", "tempqa")
    page.fill("form[action='/admin/users'] input[name=password]", "first-password")
    page.select_option("select[name=role]", "qa")
    page.click("form[action='/admin/users'] button")
    page.wait_for_load_state()
    page.click("button:has-text('Disable tempqa')")
    page.wait_for_load_state()
    assert page.locator("#users tr[data-user=tempqa] td.status").inner_text() == "disabled"
    assert page.locator("button:has-text('Disable admin')").count() == 0  # never yourself
    page.goto(f"{site.url}/logout")
    page.fill("input[name=username]", "tempqa")
    page.fill("input[name=password]", "first-password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.locator(".error").inner_text()

    login(page, site, "admin")
    page.goto(f"{site.url}/admin/users")
    page.click("button:has-text('Enable tempqa')")
    page.wait_for_load_state()
    row = page.locator("#users tr[data-user=tempqa]")
    assert row.locator("td.status").inner_text() == "active"
    row.locator("input[name=password]").fill("second-password")
    row.locator("button", has_text="Set new password").click()
    page.wait_for_load_state()
    assert "New password set for tempqa" in page.locator(".flash").inner_text()
    page.goto(f"{site.url}/logout")
    page.fill("input[name=username]", "tempqa")
    page.fill("input[name=password]", "second-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/queue")
