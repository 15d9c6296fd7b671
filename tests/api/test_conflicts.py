"""Concurrent duplicates against a real server: one winner, the others 409 — never a 500 or a broken rule."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from models import Dispute, ItemVerdict, Review, make_engine, make_session_factory
from tests.conftest import create_scored_call, fresh_database
from tests.live import LiveServer, live_server, seed_database, server_env

VERDICTS = {"greeting": True, "closing": False, "empathy": True, "no_forbidden": True}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_with_call(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A live server (no worker) on a fresh database holding one scored call of agent `tom`."""
    url = fresh_database(request.param, tmp_path)
    agent_id = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        call = create_scored_call(s, agent_id, VERDICTS)
        s.commit()
        call_id = call.id
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        yield server, factory, call_id
    engine.dispose()


def _concurrently(n: int, send: object) -> list[int]:
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _i: send(), range(n)))  # type: ignore[operator]


def test_twenty_identical_disputes_at_once_leave_one_open_dispute(server_with_call) -> None:  # type: ignore[no-untyped-def]
    server, factory, call_id = server_with_call
    headers = server.token("tom")

    def dispute() -> int:
        body = {"item": "closing", "comment": "I did close the call properly."}
        return httpx.post(
            f"{server.url}/api/calls/{call_id}/disputes", json=body, headers=headers, timeout=60
        ).status_code

    codes = Counter(_concurrently(20, dispute))
    assert codes == {201: 1, 409: 19}, (codes, server.log_text()[-2000:])
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Dispute).where(Dispute.state == "open")) == 1


def test_concurrent_review_posts_record_one_verdict_per_item(server_with_call) -> None:  # type: ignore[no-untyped-def]
    server, factory, call_id = server_with_call
    headers = server.token("qa")
    review_id = _open_review(server, factory, call_id)

    def post() -> int:
        body = {"decisions": {"closing": {"passed": True, "comment": "closing was fine"}}}
        return httpx.post(
            f"{server.url}/api/reviews/{review_id}", json=body, headers=headers, timeout=60
        ).status_code

    codes = _concurrently(10, post)
    assert set(codes) <= {200, 409} and 200 in codes, (codes, server.log_text()[-2000:])
    with factory() as s:
        rows = s.scalars(select(ItemVerdict).where(ItemVerdict.review_id == review_id)).all()
        assert [(v.item, v.human_passed) for v in rows] == [("closing", True)]


def test_a_double_submitted_review_form_saves_one_review(server_with_call) -> None:  # type: ignore[no-untyped-def]
    server, factory, call_id = server_with_call
    page = server.page_client("qa")
    html = page.get(f"/calls/{call_id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf, html[:500]
    form = {"csrf": csrf.group(1), "verdict__closing": "pass", "comment__closing": "closed politely"}
    cookies = dict(page.cookies)

    def submit() -> int:
        with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
            return client.post(f"/calls/{call_id}/review", data=form).status_code

    codes = _concurrently(2, submit)
    assert set(codes) <= {303, 409} and 303 in codes, (codes, server.log_text()[-2000:])
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Review).where(Review.call_id == call_id)) == 1
        verdicts = s.scalars(select(ItemVerdict.item)).all()
        assert sorted(verdicts) == sorted(set(verdicts))


def _open_review(server: LiveServer, factory: object, call_id: int) -> int:
    with factory() as s:  # type: ignore[operator]
        review = Review(call_id=call_id, reasons=["test"], machine_total=50.0)
        s.add(review)
        s.commit()
        return int(review.id)
