"""Against a real server: bodies are refused from their headers before they are read (anonymous uploads,
declared oversize, wrong type), and a body without a length is cut off at the limit; odd ids, negative
limits and NaN answer 4xx, never 500."""

from __future__ import annotations

import math
import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import HTTP_TIMEOUT_S, LiveServer, http

GB = 1 << 30
CHUNK = 64 * 1024


def _send(url: str, head: str, body: Iterator[bytes]) -> tuple[int, int]:
    """Send `head` then `body` on a raw connection until the server answers; (status, body bytes sent)."""
    parts = urlsplit(url)
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode())
        sock.setblocking(False)
        pending = b""
        while True:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            assert readable or writable, "server neither read nor answered"
            if readable:
                break
            pending = pending or next(body, b"")
            if not pending:
                select.select([sock], [], [], 30)
                break
            try:
                n = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent, pending = sent + n, pending[n:]
        sock.setblocking(True)
        answer = sock.recv(4096)
    return int(answer.split(b" ", 2)[1]), sent


def _zeros(total: int) -> Iterator[bytes]:
    block = b"\0" * CHUNK
    for _ in range(total // CHUNK):
        yield block


def _chunked(blocks: Iterator[bytes]) -> Iterator[bytes]:
    for block in blocks:
        yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
    yield b"0\r\n\r\n"


def _file_part(total: int) -> Iterator[bytes]:
    """A well-formed multipart file field (boundary `xyz`) that goes on for `total` bytes."""
    yield (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="call.wav"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    yield from _zeros(total)


def _upload_head(live: LiveServer, length: int, auth: str = "", ctype: str = "") -> str:
    ctype = ctype or "multipart/form-data; boundary=xyz"
    return (
        f"POST /api/calls HTTP/1.1\r\nHost: {urlsplit(live.url).netloc}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {length}\r\n{auth}\r\n"
    )


def _spooled(live: LiveServer) -> int:
    tmp = live.env.settings.data_dir / "tmp"
    return sum(f.stat().st_size for f in tmp.iterdir()) if tmp.exists() else 0


def test_an_anonymous_1gb_upload_is_refused_before_its_body_is_read(live: LiveServer) -> None:
    status, sent = _send(live.url, _upload_head(live, GB), _zeros(GB))
    assert status == 401
    assert sent < 32 * 1024 * 1024  # the answer came while the client was still at the start
    assert _spooled(live) == 0


def test_an_agent_upload_is_refused_before_its_body(live: LiveServer) -> None:
    auth = f"Authorization: {live.token('tom')['Authorization']}\r\n"
    status, sent = _send(live.url, _upload_head(live, GB, auth), _zeros(GB))
    assert status == 403 and sent < 32 * 1024 * 1024


def test_an_oversized_upload_by_staff_is_refused_from_its_declared_length(live: LiveServer) -> None:
    auth = f"Authorization: {live.token('qa')['Authorization']}\r\n"
    status, sent = _send(live.url, _upload_head(live, GB, auth), _zeros(GB))
    assert status == 413 and sent < 32 * 1024 * 1024


def test_an_upload_that_is_not_multipart_is_refused_unread(live: LiveServer) -> None:
    auth = f"Authorization: {live.token('qa')['Authorization']}\r\n"
    head = _upload_head(live, GB, auth, ctype="audio/wav")
    status, sent = _send(live.url, head, _zeros(GB))
    assert status == 415 and sent < 32 * 1024 * 1024


def test_a_chunked_upload_without_length_is_cut_off_at_the_limit(live: LiveServer) -> None:
    auth = f"Authorization: {live.token('qa')['Authorization']}\r\n"
    head = _upload_head(live, 0, auth).replace("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n")
    status, sent = _send(live.url, head, _chunked(_file_part(GB)))
    assert status == 413
    limit = live.env.settings.max_upload_mb * 1024 * 1024
    assert sent < limit + 32 * 1024 * 1024


def test_a_chunked_login_body_is_capped(live: LiveServer) -> None:
    head = (
        f"POST /login HTTP/1.1\r\nHost: {urlsplit(live.url).netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    status, sent = _send(live.url, head, _chunked(_zeros(GB)))
    assert status == 413
    assert sent < 32 * 1024 * 1024


HUGE = 2**31  # one past the largest INTEGER id (32-bit on PostgreSQL)


@pytest.mark.parametrize(
    ("method", "path", "want"),
    [
        ("GET", f"/api/calls/{HUGE}", 422),
        ("GET", f"/api/calls/{HUGE}/score", 422),
        ("GET", f"/api/reviews/{HUGE}", 422),
        ("GET", f"/api/reviews?agent_id={HUGE}", 422),
        ("GET", f"/api/agents/{HUGE}/summary", 422),
        ("GET", f"/api/hotline/calls/{HUGE}", 422),
        ("GET", f"/api/calls/{HUGE - 1}", 404),
        ("GET", f"/api/calls/{2**63}", 422),
        ("GET", "/api/calls?limit=-1", 422),
        ("GET", "/api/calls?limit=100000", 422),
        ("GET", "/api/agents/1/scores?limit=-1", 422),
    ],
)
def test_out_of_range_ids_and_limits_are_4xx(live: LiveServer, method: str, path: str, want: int) -> None:
    resp = http.request(method, live.url + path, headers=live.token("admin"))
    assert resp.status_code == want, resp.text


def test_nan_in_a_json_number_is_422(live: LiveServer) -> None:
    resp = http.put(
        f"{live.url}/api/agents/{live.env.agent_id}/manual-scores/2026-11",
        content=b'{"knowledge": NaN, "performance": 50}',
        headers={**live.token("qa"), "Content-Type": "application/json"},
    )
    assert resp.status_code == 422, resp.text
    assert not math.isnan(resp.json().get("knowledge", 0.0) or 0.0)


def test_page_forms_with_unknown_or_huge_ids_are_404_or_ignored(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=HTTP_TIMEOUT_S) as client:
        login = {"username": "admin", "password": "correct-horse-battery"}
        assert client.post("/login", data=login).status_code == 303
        page = client.get("/admin/users").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        manual = client.post("/agents/999/manual", data={"csrf": csrf, "knowledge": "50"})
        assert manual.status_code == 404, manual.text
        assert client.get(f"/calls/{HUGE}").status_code == 422
        assert client.get(f"/queue?agent_id={HUGE}").status_code == 200
        huge_agent = {"csrf": csrf, "username": "x1", "password": "long-enough", "role": "agent"}
        added = client.post("/admin/users", data={**huge_agent, "agent_id": str(HUGE)})
        assert added.status_code == 303 and "error=" in added.headers["location"]
