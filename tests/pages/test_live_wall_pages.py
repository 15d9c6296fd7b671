"""The supervisors' wall in headless Chromium against a real `callqa serve` with live assist
(tests/api/live_streams.py): a call moves to another supervisor's wall when its agent changes team, without
a reload; it leaves the wall when it ends; its stored alerts are acknowledged from the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from websockets.sync.client import connect

from tests.api.live_streams import AssistServer, assist_server, login, pbx, stream, ws_url

OPENING_S = 21.0
"""Agent audio (s) past the greeting's window (20 s in en.yaml): silence there raises greeting alerts."""


@pytest.fixture(scope="module")
def wall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistServer]:
    with assist_server(tmp_path_factory.mktemp("wall")) as started:
        yield started


def _move(server: AssistServer, agent_id: int, to_team: str) -> None:
    """Make `to_team` the agent's only team (as an admin does over the API)."""
    live = server[0]
    admin = live.token("admin")
    teams = httpx.get(f"{live.url}/api/teams", headers=admin).json()
    for team in teams:
        members = [a for a in team["agent_ids"] if a != agent_id] + (
            [agent_id] if team["name"] == to_team else []
        )
        put = httpx.put(
            f"{live.url}/api/teams/{team['id']}/members", json={"agent_ids": members}, headers=admin
        )
        assert put.status_code == 200, put.text


def test_the_wall_follows_team_changes_drops_ended_calls_and_acknowledges_alerts(
    wall_server: AssistServer, browser: Any
) -> None:
    from playwright.sync_api import expect

    live, tom, _ = wall_server
    key = "wall-1"
    sue, sam = login(browser, live, "sue"), login(browser, live, "sam")
    for page in (sue, sam):
        assert page.goto(f"{live.url}/live").status == 200
        expect(page.locator("#wall-status")).to_have_text("Live", timeout=30_000)
    expect(sue.locator("#alerts-empty")).to_be_visible()
    with connect(ws_url(live, key, "agent", tom), additional_headers=pbx(live), open_timeout=120) as ws:
        stream(ws, np.zeros(int(OPENING_S * 8000), np.float32))  # the agent says no greeting at all
        row = sue.locator(f"#wall tr[data-key='{key}']")
        expect(row).to_be_visible(timeout=60_000)
        expect(sue.locator("#alerts tr.alert.greeting")).to_have_count(3, timeout=60_000)
        expect(sue.locator("#alerts")).to_contain_text("self_id")
        expect(sam.locator("#wall-empty")).to_be_visible()
        _move(wall_server, tom, "Loans")  # tom now works in sam's team: the walls follow, no reload
        expect(row).to_have_count(0, timeout=30_000)
        moved = sam.locator(f"#wall tr[data-key='{key}']")
        expect(moved).to_be_visible(timeout=30_000)
        # The alerts raised before the move are sam's to acknowledge now (stored, listed on the page).
        sam.reload()
        expect(sam.locator("#alerts tr.alert.greeting")).to_have_count(3)
        sam.locator("#alerts tr.alert.greeting button").first.click()
        sam.wait_for_load_state()
        expect(sam.locator("#alerts tr.alert.greeting")).to_have_count(2)
        expect(sam.locator("#wall-status")).to_have_text("Live", timeout=30_000)
        moved = sam.locator(f"#wall tr[data-key='{key}']")
        expect(moved).to_be_visible(timeout=30_000)
    expect(moved).to_have_count(0, timeout=60_000)  # the call ended: it leaves the wall
    expect(sam.locator("#wall-empty")).to_be_visible()
    sue.reload()
    expect(sue.locator("#alerts tr.alert")).to_have_count(0)  # another team's alerts now
    open_alerts = httpx.get(f"{live.url}/api/live/alerts?open=true", headers=live.token("sam")).json()
    assert len(open_alerts) == 2 and {a["call_key"] for a in open_alerts} == {key}
