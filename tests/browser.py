"""Real headless Chromium (Debian's) driven by Playwright's sync API: the `browser` fixture of every test
that uses a browser (tests/pages, the live assist panel in tests/api).

A sync Playwright instance marks its thread's asyncio event loop as running for as long as it lives, also
between its calls. Anything else in that thread that needs no loop running — another `sync_playwright()`
("using Playwright Sync API inside the asyncio loop"), `anyio.run`, `asyncio.run` — fails meanwhile. So
the instance lives for one test module: a module that follows, in any order, starts with no loop running."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the tests of one module (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is required for the browser tests (make system-deps installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
        )
        yield b
        b.close()
