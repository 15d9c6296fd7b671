"""Accessibility in a real headless Chromium: axe-core (vendored from npm, tests/pages/vendor) finds no
serious or critical violation on any page as the role that uses it; the transcript is reachable by
keyboard; the call page fits a 390 px phone screen without sideways scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages.conftest import SCREENSHOTS, Site, login

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    # The pages' Content-Security-Policy (script-src 'self') rightly refuses an injected script; the
    # test's own context lifts it for axe only.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    return list(found)


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        (
            "qa",
            [
                "/queue",
                "/queue?state=done",
                "/calls/{call}",
                "/disputes?state=all",
                "/overview",
                "/notifications",
                "/calibrations",
                "/sampling",
            ],
        ),
        ("priya", ["/me", "/calls/{call}", "/notifications", "/disputes"]),  # the last: the 403 error page
        ("admin", ["/admin/users", "/admin/agents", "/agents/{agent}"]),
        ("sam", ["/queue", "/disputes", "/overview", "/sampling"]),
        (None, ["/login"]),
    ],
)
def test_no_serious_axe_violations(page, site: Site, role: str | None, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    if role:
        login(page, site, role)
    for path in paths:
        page.goto(site.url + path.format(call=site.call_id, agent=site.agent_id))
        found = serious_violations(page)
        print(path, found)
        assert found == [], path


def test_the_transcript_is_played_from_the_keyboard(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "qa")
    page.goto(f"{site.url}/calls/{site.call_id}")
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    turn = page.locator(".seg button.t").nth(2)
    start = float(turn.get_attribute("data-t") or 0)
    turn.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"Math.abs(document.getElementById('audio').currentTime - {start}) < 1.0")


def test_the_call_page_fits_a_phone(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, site, "priya")
    page.goto(f"{site.url}/calls/{site.call_id}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / "call-390px.png"), full_page=True)
    context.close()
    assert overflow <= 0
