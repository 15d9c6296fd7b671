"""Against a real server: a write is committed before its response is sent, so a client that reads right
after sees it, and a commit that fails is answered as a failure, never as a success."""

from __future__ import annotations

import httpx
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models import Review, User
from tests.api.conftest import HTTP_TIMEOUT_S, LiveServer, http
from tests.api.test_reviews import calls, scored  # noqa: F401  (fixture)


def test_each_assignment_is_visible_to_the_very_next_read(live: LiveServer, calls: dict[str, int]) -> None:  # noqa: F811
    qa = live.token("qa")
    with live.env.factory() as s:
        ids = [s.scalars(select(User).where(User.username == n)).one().id for n in ("qa", "admin")]
    url = f"{live.url}/api/reviews/{calls['tom_review']}"
    stale = 0
    with httpx.Client(headers=qa, timeout=HTTP_TIMEOUT_S) as client:
        for i in range(60):
            want = ids[i % 2]
            assert client.post(f"{url}/assign", json={"user_id": want}).status_code == 200
            stale += client.get(url).json()["assignee_id"] != want
    assert stale == 0


def test_a_commit_that_fails_is_not_reported_as_success(live: LiveServer, calls: dict[str, int]) -> None:  # noqa: F811
    qa = live.token("qa")
    url = f"{live.url}/api/reviews/{calls['tom_review']}/assign"
    assert http.post(url, json={"user_id": 2}, headers=qa).json()["assignee_id"] == 2

    def refuse(_session: Session) -> None:
        raise RuntimeError("commit refused (simulated disk full)")

    event.listen(live.env.factory, "before_commit", refuse)
    try:
        resp = http.post(url, json={"user_id": None}, headers=qa)
    finally:
        event.remove(live.env.factory, "before_commit", refuse)
    assert resp.status_code == 500
    with live.env.factory() as s:
        review = s.get(Review, calls["tom_review"])
        assert review is not None and review.assignee_id == 2
