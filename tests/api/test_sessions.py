"""Secrets, sessions and logins: no start with a default secret, server-side sessions that logout ends,
a form token per session, throttled guessing with bounded hashing, 409 for a raced duplicate user, no
password hash in any log line, security headers and offline API docs."""

from __future__ import annotations

import logging
import re
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from api.app import create_app
from api.security import LoginGuard, LoginThrottled
from callqa.settings import SecretKeyError, Settings, with_secret_key
from models import User
from tests.api.conftest import HTTP_TIMEOUT_S, PASSWORD, ApiEnv, LiveServer, http


def test_a_default_empty_or_short_secret_is_refused_outside_development(tmp_path: Path) -> None:
    for weak in ("change-me-in-production", "", "short"):
        with pytest.raises(SecretKeyError):
            with_secret_key(Settings(data_dir=tmp_path, secret_key=weak))
        with pytest.raises(SecretKeyError):
            create_app(Settings(data_dir=tmp_path, secret_key=weak, embedded_worker=False))
    dev = with_secret_key(Settings(data_dir=tmp_path, secret_key="change-me-in-production", dev_mode=True))
    assert dev.signing_key == "change-me-in-production"


def test_the_first_start_makes_a_private_random_secret_and_keeps_it(tmp_path: Path) -> None:
    first = with_secret_key(Settings(data_dir=tmp_path / "data")).signing_key
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32 and with_secret_key(Settings(data_dir=tmp_path / "data")).signing_key == first
    assert with_secret_key(Settings(data_dir=tmp_path / "other")).signing_key != first
    key_file.chmod(0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        with_secret_key(Settings(data_dir=tmp_path / "data"))


def test_a_token_forged_with_the_documented_default_secret_opens_nothing(api: ApiEnv) -> None:
    for salt in ("callqa-api-token", "callqa-session"):
        forged = URLSafeTimedSerializer("change-me-in-production", salt=salt).dumps({"uid": 1})
        assert (
            api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
        )


def _login(client: httpx.Client, username: str) -> None:
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 303, resp.text


def _admin_login(client: httpx.Client) -> str:
    """Log in as admin through the form; returns the session's form token (from the users page)."""
    _login(client, "admin")
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/users").text)
    assert found is not None
    return found.group(1)


def test_logout_ends_the_session_for_the_cookie_and_the_bearer(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=HTTP_TIMEOUT_S) as browser:
        _login(browser, "qa")
        cookie = browser.cookies["callqa_session"]
        assert browser.get("/queue").status_code == 200
        assert browser.get("/logout").status_code == 303
    # The copied cookie, replayed as a cookie and as a bearer token, no longer opens anything.
    with httpx.Client(cookies={"callqa_session": cookie}, timeout=HTTP_TIMEOUT_S) as replay:
        assert replay.get(f"{live.url}/queue").status_code == 303
    assert (
        http.get(f"{live.url}/api/auth/me", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
    )
    bearer = live.token("qa")
    assert http.get(f"{live.url}/api/auth/me", headers=bearer).status_code == 200
    assert http.post(f"{live.url}/api/auth/logout", headers=bearer).status_code == 204
    assert http.get(f"{live.url}/api/auth/me", headers=bearer).status_code == 401


def test_each_login_has_its_own_form_token(live: LiveServer) -> None:
    with (
        httpx.Client(base_url=live.url, timeout=HTTP_TIMEOUT_S) as one,
        httpx.Client(base_url=live.url, timeout=HTTP_TIMEOUT_S) as two,
    ):
        first, second = _admin_login(one), _admin_login(two)
        assert first != second
        form = {"username": "newqa", "password": "long-enough-pw", "role": "qa"}
        assert two.post("/admin/users", data={**form, "csrf": first}).status_code == 403
        assert two.post("/admin/users", data={**form, "csrf": second}).status_code == 303
        one.get("/logout")
        assert one.post("/admin/users", data={**form, "csrf": first}).status_code == 303  # → login page
        assert "/login" in one.post("/admin/users", data={**form, "csrf": first}).headers["location"]


def test_guessing_is_throttled_per_username_and_client_with_retry_after(api: ApiEnv) -> None:
    settings = api.settings.model_copy(
        update={"login_failures_per_minute": 5, "login_failures_per_minute_per_client": 8}
    )
    with TestClient(create_app(settings, session_factory=api.factory)) as client:
        for _ in range(5):
            assert (
                client.post("/api/auth/token", data={"username": "qa", "password": "guess"}).status_code
                == 401
            )
        right = client.post("/api/auth/token", data={"username": "qa", "password": PASSWORD})
        assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
        assert right.json()["error"] == "LoginThrottled"
        page = client.post("/login", data={"username": "QA", "password": PASSWORD})  # same name, any case
        assert page.status_code == 429 and "too many failed logins" in page.text
        # Another username from this client still works until the client's own limit is spent.
        assert (
            client.post("/api/auth/token", data={"username": "admin", "password": PASSWORD}).status_code
            == 200
        )
        for _ in range(3):
            client.post("/api/auth/token", data={"username": "nobody", "password": "guess"})
        assert (
            client.post("/api/auth/token", data={"username": "tom", "password": PASSWORD}).status_code == 429
        )


def test_at_most_the_configured_number_of_password_checks_run_at_once() -> None:
    guard = LoginGuard(per_username_per_minute=1000, per_client_per_minute=1000, max_concurrent_checks=3)
    running, peak, lock = 0, 0, threading.Lock()

    def verify() -> User | None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return None

    async def burst() -> None:
        async with anyio.create_task_group() as tasks:
            for i in range(40):
                tasks.start_soon(guard.check, f"user{i}", f"10.0.0.{i}", verify)

    anyio.run(burst)
    assert peak == 3

    async def twice() -> None:
        small = LoginGuard(per_username_per_minute=1, per_client_per_minute=10, max_concurrent_checks=1)
        await small.check("a", "c", lambda: None)
        await small.check("A", "c", lambda: None)

    with pytest.raises(LoginThrottled):
        anyio.run(twice)


def test_racing_adds_of_one_username_give_one_user_and_409s_never_500(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Each add hashes a password and waits for the database write lock: generous timeouts on a busy CI.
    clients = [httpx.Client(base_url=live.url, timeout=120) for _ in range(10)]
    tokens = [_admin_login(c) for c in clients]
    form = {"username": "twin", "password": "long-enough-pw", "role": "qa"}

    def add(i: int) -> httpx.Response:
        return clients[i].post("/admin/users", data={**form, "csrf": tokens[i]})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(add, range(10)))
    for c in clients:
        c.close()
    statuses = sorted(r.status_code for r in answers)
    added = [r for r in answers if r.status_code == 303 and "msg=Added" in r.headers["location"]]
    assert len(added) == 1, statuses
    assert all(s in (303, 409) for s in statuses), statuses
    with live.env.factory() as s:
        assert s.query(User).filter_by(username="twin").count() == 1
    assert "$argon2" not in caplog.text


def test_security_headers_secure_cookie_and_offline_docs(api: ApiEnv) -> None:
    login = api.client.get("/login")
    csp = login.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert login.headers["x-content-type-options"] == "nosniff"
    assert login.headers["referrer-policy"] == "same-origin"
    assert login.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in api.client.get("/api/auth/me").headers["content-security-policy"]
    for page in ("/docs", "/redoc"):
        html = api.client.get(page).text
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts and all(src.startswith("/static/docs/") for src in scripts), scripts
        assert all(api.client.get(src).status_code == 200 for src in scripts)
        assert "cdn" not in html.lower()
    settings = api.settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(settings, session_factory=api.factory)) as client:
        resp = client.post("/login", data={"username": "qa", "password": PASSWORD}, follow_redirects=False)
        assert "secure" in resp.headers["set-cookie"].lower()
    plain = api.client.post("/login", data={"username": "qa", "password": PASSWORD}, follow_redirects=False)
    assert "secure" not in plain.headers["set-cookie"].lower()


def test_a_refused_write_carries_no_password_hash_into_its_error(api: ApiEnv) -> None:
    with api.factory() as s:
        secret_hash = s.query(User).filter_by(username="qa").one().password_hash
        s.add(User(username="qa", password_hash=secret_hash, role="qa"))
        with pytest.raises(IntegrityError) as caught:
            s.flush()
    assert secret_hash not in str(caught.value)
    assert "$argon2" not in str(caught.value)
