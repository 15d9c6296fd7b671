"""A calibration in a real headless Chromium: QA opens one on a call for three reviewers with QA as the
expert; each scores blind in their own browser (no machine findings, nobody else's verdicts); QA reveals,
and every member sees per item who agreed with the key, and the machine beside it."""

from __future__ import annotations

import re

import pytest

from scoring.scorecard import load_scorecard
from tests.pages.conftest import SCREENSHOTS, Site, login

pytestmark = [pytest.mark.slow, pytest.mark.dev_set]

ITEMS = [i.id for i in load_scorecard(None).items]


def _score(page, site: Site, verdicts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.url}/calibrations")
    page.locator("#calibrations a").first.click()
    page.wait_for_load_state()
    assert "What the machine found" not in page.content() and page.locator("#results").count() == 0
    for item in ITEMS:
        page.check(f"input[name=verdict__{item}][value={verdicts.get(item, 'pass')}]")
    page.click("#submit-verdicts")
    page.wait_for_load_state()
    assert "Verdicts submitted" in page.content() and page.locator("#waiting").count() == 1


def test_three_reviewers_calibrate_a_call_blind(page, browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    login(page, site, "qa")
    page.goto(f"{site.url}/calls/{site.call_id}")
    page.click("#calibrate")
    page.wait_for_load_state()
    form = page.locator("#new-calibration")
    assert form.locator("input[name=call_id]").input_value() == str(site.call_id)
    form.locator("input[name=title]").fill("Week 49")
    for name in ("admin", "sam"):  # sam supervises Priya's team: he may see her call
        form.locator(f"label:has-text('{name} (') input").check()
    form.locator("select[name=expert_id]").select_option(label="qa")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "Calibration opened" in page.content()
    assert re.search(r"0 of 3 reviewers", page.locator("#progress").inner_text())
    _score(page, site, {ITEMS[0]: "fail"})

    others = {}
    for name, verdicts in (("admin", {}), ("sam", {ITEMS[0]: "fail", ITEMS[1]: "na"})):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        other = context.new_page()
        login(other, site, name)
        other.goto(f"{site.url}/notifications")
        assert "Calibration 'Week 49': score call" in other.locator("main").inner_text()
        _score(other, site, verdicts)
        others[name] = (context, other)

    page.reload()
    assert re.search(r"3 of 3 reviewers", page.locator("#progress").inner_text())
    page.click("#reveal")
    page.wait_for_load_state()
    first = page.locator(f"#results tr[data-item={ITEMS[0]}]").inner_text()
    assert "2 of 3" in first  # qa (the key) and sam said Fail, admin Pass
    second = page.locator(f"#results tr[data-item={ITEMS[1]}]").inner_text()
    assert "2 of 3" in second  # sam said N/A
    assert page.locator("#members tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "calibration.png"), full_page=True)

    context, sam = others["sam"]
    sam.reload()
    assert sam.locator("#results").count() == 1  # the members see the results too
    for context, _ in others.values():
        context.close()
