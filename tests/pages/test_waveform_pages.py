"""The call page's waveform player in a real headless Chromium on a live server: wavesurfer.js (vendored)
draws both legs from the server's outline with a time axis, marks every evidence span and names it above
the waveform, within the pages' Content-Security-Policy (no violation reported); the names of marks close
together (the greeting's three parts within 3 s) never overlap, on a wide screen or a 390 px one; clicking
a name, or pressing Enter on it, plays the call from its mark; no serious axe violation with the player
drawn, and it fits a 390 px screen."""

from __future__ import annotations

import json
import re

import pytest

from tests.pages.conftest import SCREENSHOTS, Site, login
from tests.pages.test_accessibility import serious_violations

OVERLAPS = """() => {
  const lane = document.getElementById('wave-labels').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('#wave-labels .mark')].map(b => b.getBoundingClientRect());
  const clash = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
    const meet = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    if (meet) clash.push([i, i + 1 + j]);
  }));
  return {
    clash,
    outside: boxes.filter(b => b.left < lane.left - 0.5 || b.right > lane.right + 0.5).length,
    heights: boxes.map(b => Math.round(b.height)),
    count: boxes.length,
  };
}"""


def assert_names_readable(page, marks: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    """Every mark named once, on one line, inside the player's width, no two names overlapping."""
    found = page.evaluate(OVERLAPS)
    assert found["count"] == len(marks)
    assert found["clash"] == [] and found["outside"] == 0, found
    assert max(found["heights"]) == min(found["heights"]) < 24, found  # one line each


pytestmark = [pytest.mark.slow, pytest.mark.dev_set]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)  # for axe
    yield context.new_page()
    context.close()


def test_both_legs_and_the_evidence_marks_play_from_a_click(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    refused: list[str] = []
    # Only the policy's refusals: the browser's own favicon request answers 404 and is logged too.
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, site, "qa")
    response = page.goto(f"{site.url}/calls/{site.call_id}")
    assert response is not None and "'nonce-" in response.headers["content-security-policy"]
    box = page.locator("#waveform")
    marks = json.loads(box.get_attribute("data-markers") or "[]")
    kinds = {m["kind"] for m in marks}
    assert "violation" in kinds and "evidence" in kinds, marks  # a blame-shifting call with a greeting
    page.wait_for_selector("#waveform[data-marked]")
    assert int(box.get_attribute("data-marked") or 0) == len(marks)
    assert len(json.loads(box.get_attribute("data-peaks") or "[]")) == 2  # both legs
    assert page.locator("#waveform canvas").count() >= 2
    assert "agent above" in page.locator("#waveform-cap").inner_text()
    # The time axis: labelled notches ("0:00", "0:05", ...) inside the player's shadow DOM.
    notches = page.locator("#waveform [part~=timeline-notch]").all_text_contents()
    assert any(re.fullmatch(r"\d+:\d\d", n.strip()) for n in notches), notches[:10]
    # Each mark is named above the waveform, the names of close marks on rows of their own.
    assert_names_readable(page, marks)
    assert int(page.locator("#wave-labels").get_attribute("data-rows") or 0) >= 2
    # A click on a name plays from its mark's start; so does Enter on it.
    violation = next(m for m in marks if m["kind"] == "violation")
    name = page.locator("#wave-labels .mark", has_text=str(violation["text"])).first
    assert name.is_visible()
    name.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('audio').currentTime - {violation['start']}) < 1.0"
    )
    page.evaluate("document.getElementById('audio').pause()")
    last = marks[-1]
    page.locator("#wave-labels .mark").last.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"Math.abs(document.getElementById('audio').currentTime - {last['start']}) < 1.0")
    page.evaluate("document.getElementById('audio').pause()")
    page.screenshot(path=str(SCREENSHOTS / "call-waveform.png"), full_page=False)
    assert serious_violations(page) == []
    assert refused == []


def test_the_waveform_fits_a_phone(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, site, "priya")
    page.goto(f"{site.url}/calls/{site.call_id}")
    page.wait_for_selector("#waveform[data-marked]")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    width = page.evaluate("document.getElementById('waveform').getBoundingClientRect().width")
    marks = json.loads(page.locator("#waveform").get_attribute("data-markers") or "[]")
    assert_names_readable(page, marks)
    page.locator("figure.waveform").screenshot(path=str(SCREENSHOTS / "call-waveform-390px.png"))
    context.close()
    assert overflow <= 0 and 300 <= width <= 390
