"""The scorecard editor in a real headless Chromium on a live server: an admin finds it from the menu,
sends a card with a bad weight and an unknown check and sees both named beside their rows with every
value still typed in, corrects it, saves a draft that scores nothing, and publishes it; no serious axe
violation with and without problems shown; the editor fits a 390 px phone. It edits the Chinese card, so
the English calls other page tests look at keep their scores."""

from __future__ import annotations

import pytest

from tests.pages.conftest import SCREENSHOTS, Site, login
from tests.pages.test_accessibility import serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)  # for axe
    yield context.new_page()
    context.close()


def test_an_admin_corrects_saves_and_publishes_a_scorecard(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "admin")
    page.click("nav a[href='/admin/scorecards']")
    page.wait_for_url("**/admin/scorecards")
    assert serious_violations(page) == []
    page.click("#edit-default-zh")
    page.wait_for_url("**/admin/scorecards/default-zh")
    assert "Active: version 2" in page.locator("#state").inner_text()
    assert page.input_value("input[name=id__4]") == "courtesy"
    assert page.input_value("select[name=fails__4]") == "cap"

    page.fill("input[name=weight__2]", "heavy")
    page.fill("input[name=verdict__3]", "check:three_must")
    page.fill("input[name=id__9]", "transfer_offered")  # the first blank row: a new conditional item
    page.fill("input[name=verdict__9]", "check:closing")
    page.fill("input[name=weight__9]", "5")
    page.select_option("select[name=when_item__9]", "greeting")
    page.select_option("select[name=when_verdict__9]", "fail")
    page.select_option("select[name=fails__1]", "fatal")
    page.fill("input[name=note]", "greeting is an auto-fail")
    page.click("#save")
    page.wait_for_load_state()
    summary = page.locator("#problems")
    assert "Nothing was saved: 2 problems to correct" in summary.inner_text()
    assert page.locator("#item-2 .row-problems").inner_text() == "item 2 (closing) needs a positive weight"
    assert "unknown check 'three_must'" in page.locator("#item-3 .row-problems").inner_text()
    # nothing typed is lost
    assert page.input_value("input[name=weight__2]") == "heavy"
    assert page.input_value("input[name=id__9]") == "transfer_offered"
    assert page.input_value("select[name=when_verdict__9]") == "fail"
    assert page.input_value("select[name=fails__1]") == "fatal"
    assert page.input_value("input[name=note]") == "greeting is an auto-fail"
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "scorecard-problems.png"), full_page=True)

    page.fill("input[name=weight__2]", "15")
    page.fill("input[name=verdict__3]", "check:three_musts")
    page.uncheck("input[name=na__9]")
    page.click("#save")
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text() == "Draft saved: it scores no call until you publish it"
    assert "A draft based on version 2" in page.locator("#state").inner_text()
    assert page.input_value("select[name=when_item__9]") == "greeting"
    assert not page.is_checked("input[name=na__9]")
    # Keyboard only: focus the publish button and press Enter.
    page.locator("#publish").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".flash").inner_text() == "Version 3 published: it scores every call from now on"
    assert "Active: version 3" in page.locator("#state").inner_text()
    assert page.locator("#publish").count() == 0
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "scorecard-editor.png"), full_page=True)
    page.click("text=All scorecards and versions")
    page.wait_for_load_state()
    row = page.locator("#versions-default-zh tr[data-version='3']")
    assert "active" in row.inner_text() and "greeting is an auto-fail" in row.inner_text()


def test_the_editor_fits_a_phone(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, site, "admin")
    page.goto(f"{site.url}/admin/scorecards/default")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / "scorecard-390px.png"), full_page=True)
    context.close()
    assert overflow <= 0
