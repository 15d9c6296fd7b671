"""A calibration set in a real headless Chromium: QA ticks two calls in the review queue and opens a set
for QA (the expert) and an admin; each scores both calls blind from the set's page in their own browser,
seeing who has scored but never what; QA reveals by keyboard, and the summary across the calls shows each
reviewer and the machine against the key, with a CSV export; no serious axe violation, and the revealed
page fits a 390 px screen."""

from __future__ import annotations

import pytest

from scoring.scorecard import load_scorecard
from tests.pages.conftest import SCREENSHOTS, Site, login
from tests.pages.test_accessibility import serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]

ITEMS = [i.id for i in load_scorecard(None).items]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)  # for axe
    yield context.new_page()
    context.close()


def _score_all(page, site: Site, set_url: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(set_url)
    while page.locator("#to-score a").count():
        page.locator("#to-score a").first.click()
        page.wait_for_load_state()
        assert "What the machine found" not in page.content() and page.locator("#results").count() == 0
        assert page.locator("#in-set a").count() == 1 and page.locator("#reveal").count() == 0
        for item in ITEMS:
            page.check(f"input[name=verdict__{item}][value={verdict}]")
        page.click("#submit-verdicts")
        page.wait_for_load_state()
        page.locator("#in-set a").click()
        page.wait_for_load_state()
    assert page.locator("#all-scored").count() == 1


def test_two_reviewers_calibrate_two_calls_from_the_queue(page, browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "qa")
    page.goto(f"{site.url}/queue")
    ticks = page.locator("#queue tbody input[name=review_id]")
    ticks.nth(0).check()
    ticks.nth(1).check()
    page.click("#calibrate-ticked")
    page.wait_for_load_state()
    form = page.locator("#new-set")
    call_ids = form.locator("input[name=call_ids]").input_value()
    assert len(call_ids.split(",")) == 2, call_ids
    form.locator("input[name=title]").fill("Week 49 set")
    form.locator("label:has-text('admin (') input").check()
    form.locator("select[name=expert_id]").select_option(label="qa")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "Calibration set opened" in page.content()
    set_url = page.url.split("?")[0]
    assert page.locator("#set-progress tbody tr").count() == 2
    assert serious_violations(page) == []
    _score_all(page, site, set_url, "pass")

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    admin = context.new_page()
    login(admin, site, "admin")
    admin.goto(f"{site.url}/notifications")
    assert "Calibration set 'Week 49 set': score 2 calls blind" in admin.locator("main").inner_text()
    admin.goto(set_url)
    # Blind: who has scored, never what.
    assert admin.locator("#set-progress").inner_text().count("scored") >= 2
    assert "Pass" not in admin.locator("main").inner_text() and admin.locator("#set-raters").count() == 0
    first = ITEMS[0]
    admin.goto(set_url)
    while admin.locator("#to-score a").count():
        admin.locator("#to-score a").first.click()
        admin.wait_for_load_state()
        for item in ITEMS:
            admin.check(f"input[name=verdict__{item}][value={'fail' if item == first else 'pass'}]")
        admin.click("#submit-verdicts")
        admin.wait_for_load_state()
        admin.goto(set_url)

    page.goto(set_url)
    page.locator("#reveal-set").focus()  # keyboard only
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Results revealed" in page.content()
    raters = page.locator("#set-raters tbody tr")
    assert raters.count() == 3  # qa, admin and the machine
    admin_row = page.locator("#set-raters tr", has_text="admin").inner_text()
    assert f"{round(100 * (len(ITEMS) - 1) / len(ITEMS))}%" in admin_row
    assert "the machine" in page.locator("#set-raters tr.machine").inner_text()
    assert "0%" in page.locator(f"#set-items tr[data-item={first}]").inner_text()  # admin always differed
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "calibration-set.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#set-csv")
    assert download.value.suggested_filename.startswith("calibration-set-")
    admin.goto(set_url)
    assert admin.locator("#set-raters").count() == 1  # the members see the summary too
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    small = phone.new_page()
    login(small, site, "qa")
    small.goto(set_url)
    overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    small.screenshot(path=str(SCREENSHOTS / "calibration-set-390px.png"), full_page=True)
    phone.close()
    assert overflow <= 0
