"""The client address behind a reverse proxy, on a real server (`callqa serve`): forwarded headers are
believed from the trusted proxies only, so login throttling per client counts the real callers and a
client cannot dodge it by sending its own X-Forwarded-For."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.live import live_server, seed_database, server_env


def _bad_login(url: str, forwarded_for: str, attempt: int) -> int:
    """A failed login (each for another username, so only the per-client limit can bite) as if relayed
    for `forwarded_for`; returns the status code."""
    resp = httpx.post(
        f"{url}/api/auth/token",
        data={"username": f"nobody{attempt}", "password": "wrong password"},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=60,
    )
    return resp.status_code


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    seed_database(f"sqlite:///{data / 'callqa.db'}")
    return data


def test_behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own(
    data_dir: Path, tmp_path: Path
) -> None:
    env = server_env(data_dir, trusted_proxies="127.0.0.1", login_failures_per_minute_per_client="3")
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        # three callers behind the proxy, three failures each: nobody is over their own limit
        codes = [_bad_login(server.url, f"203.0.113.{c}", c * 10 + i) for c in (1, 2, 3) for i in range(3)]
        assert codes == [401] * 9, codes
        # the fourth failure of one of them is refused, the others are not affected
        assert _bad_login(server.url, "203.0.113.1", 99) == 429
        assert _bad_login(server.url, "203.0.113.4", 98) == 401


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(data_dir: Path, tmp_path: Path) -> None:
    """The test client connects from 127.0.0.1, which is not the trusted proxy here: its made-up addresses
    are ignored and all its failures count against 127.0.0.1."""
    env = server_env(data_dir, trusted_proxies="192.0.2.10", login_failures_per_minute_per_client="3")
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        codes = [_bad_login(server.url, f"198.51.100.{i}", i) for i in range(4)]
        assert codes == [401, 401, 401, 429], codes
