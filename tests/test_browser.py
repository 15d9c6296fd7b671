"""The `browser` fixture (tests/browser.py) leaves nothing running for the test modules after it: a module of
page tests followed, in one pytest process, by a module that starts Playwright itself or runs an event loop
(as tests/api does: the live assist panel, `anyio.run`) passes in that order too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PAGES = """
def test_a_page(browser):
    page = browser.new_page()
    page.set_content("<p id=said>hello</p>")
    assert page.inner_text("#said") == "hello"
"""

AFTER = """
import anyio
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM


def test_an_event_loop_runs():
    async def one():
        return 1

    assert anyio.run(one) == 1


def test_playwright_starts_again():
    with sync_playwright() as p:
        p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"]).close()


def test_the_fixture_starts_again(browser):
    assert browser.new_page().evaluate("1 + 1") == 2
"""


def test_a_module_after_the_page_tests_may_run_playwright_and_event_loops(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text("from tests.browser import browser  # noqa: F401\n")
    (tmp_path / "test_1_pages.py").write_text(PAGES)
    (tmp_path / "test_2_after.py").write_text(AFTER)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_1_pages.py",
            "test_2_after.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "4 passed" in done.stdout
