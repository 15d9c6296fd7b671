"""The review queue's filters, sorts and pages on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from models import TranscriptSegment, User
from scoring.disputes import open_dispute
from scoring.glossary import reason_label, severity_label
from scoring.queue import QueueFilter, count_queue, iter_queue, queue_page
from scoring.review import flag_call
from tests.conftest import create_agent
from tests.scoring.test_review import GOOD, NOW, WEIGHTS, scored_call


def test_filters_sorts_and_pages_are_done_by_the_database(session: Session) -> None:
    ann, bob = create_agent(session, "Ann Q"), create_agent(session, "Bob Q")
    calls = []
    for i in range(7):
        agent = ann if i % 2 == 0 else bob
        verdicts = {**GOOD, "courtesy": False} if i < 2 else GOOD
        call = scored_call(session, agent.id, verdicts, at=NOW - timedelta(days=i), uncertain=i >= 2)
        session.add(
            TranscriptSegment(
                call_id=call.id,
                speaker="caller",
                start_s=0.0,
                end_s=1.0,
                text="My WARRANTY ran out" if i == 3 else "a 100% normal_call",
            )
        )
        flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
        calls.append(call)
    session.flush()
    mine = {c.id for c in calls}

    def ids(f: QueueFilter, sort: str = "severity") -> list[int]:
        return [c.id for _, c in iter_queue(session, f, sort=sort) if c.id in mine]

    assert set(ids(QueueFilter())) == mine
    assert ids(QueueFilter(agent_id=ann.id)) == [calls[0].id, calls[2].id, calls[4].id, calls[6].id]
    assert ids(QueueFilter(reason="critical")) == [calls[0].id, calls[1].id]
    assert ids(QueueFilter(min_severity=WEIGHTS.critical_failed)) == [calls[0].id, calls[1].id]
    day = (NOW - timedelta(days=3)).date()
    assert ids(QueueFilter(since=day, until=day)) == [calls[3].id]
    assert ids(QueueFilter(since=day + timedelta(days=1), until=NOW.date())) == [c.id for c in calls[:3]]
    assert ids(QueueFilter(search="warranty")) == [calls[3].id]  # any case
    assert ids(QueueFilter(search="l_c")) != [] and ids(QueueFilter(search="lxc")) == []  # _ is a character
    assert ids(QueueFilter(search="%")) != [] and ids(QueueFilter(search="zz%")) == []  # % is a character
    assert ids(QueueFilter(agent_id=bob.id), sort="call_date") == [calls[1].id, calls[3].id, calls[5].id]

    f = QueueFilter(agent_ids=(ann.id, bob.id))
    first, last = queue_page(session, f, page=1, per_page=3), queue_page(session, f, page=99, per_page=3)
    assert (first.total, first.pages, len(first.rows)) == (7, 3, 3)
    assert (last.page, len(last.rows)) == (3, 1)  # clamped to the last page
    assert count_queue(session, QueueFilter(state="disputed", agent_ids=(ann.id, bob.id))) == 0
    agent_login = User(username="bob-q", password_hash="-", role="agent", agent_id=bob.id)
    session.add(agent_login)
    session.flush()
    open_dispute(session, call=calls[5], item="closing", author_id=agent_login.id, comment="I closed")
    assert ids(QueueFilter(state="disputed")) == [calls[5].id]


def test_labels_for_severity_and_reasons() -> None:
    assert [severity_label(s) for s in (0, 1, 3, 6)] == ["Low", "Medium", "High", "Urgent"]
    assert (
        reason_label("critical item failed: courtesy")
        == "Critical item failed: Courtesy (no forbidden phrases)"
    )
    assert reason_label("uncertain verdict: greeting, blame_customer") == (
        "Uncertain verdict: Greeting, Blaming the customer"
    )
    assert reason_label("random sample") == "Random sample"


def test_pages_by_cursor_match_pages_by_number_and_skip_nothing_when_the_queue_moves(
    session: Session,
) -> None:
    agent = create_agent(session, "Kay Q")
    for i in range(11):
        call = scored_call(session, agent.id, GOOD, at=NOW - timedelta(hours=i), uncertain=True)
        review = flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
        assert review is not None
        review.severity = i % 3  # ties on severity, ordered by flagged time then id
    session.flush()
    f = QueueFilter(agent_id=agent.id)
    for sort in ("severity", "oldest", "newest", "score", "call_date"):
        every = [r.id for r, _ in iter_queue(session, f, sort=sort)]
        by_number = [
            [r.id for r, _ in queue_page(session, f, sort=sort, page=n, per_page=4).rows] for n in (1, 2, 3)
        ]
        assert [i for ids in by_number for i in ids] == every, sort  # the far end is read backwards
        first = queue_page(session, f, sort=sort, per_page=4)
        if sort in ("score", "call_date"):
            assert first.keyset is False and first.next_after is None
            continue
        walked, page, numbers = [], first, []
        while True:
            walked.append([r.id for r, _ in page.rows])
            numbers.append(page.page)
            if page.next_after is None:
                break
            page = queue_page(session, f, sort=sort, per_page=4, after=page.next_after)
        assert walked == by_number and numbers == [1, 2, 3], sort
        back = queue_page(session, f, sort=sort, per_page=4, before=page.prev_before or "")
        assert [r.id for r, _ in back.rows] == by_number[1] and back.page == 2
        assert queue_page(session, f, sort=sort, per_page=4, after="not~a~cursor").page == 1

    # A review done between two pages: the next page starts right after the last row seen.
    first = queue_page(session, f, per_page=4)
    first.rows[0][0].state = "done"
    session.flush()
    second = queue_page(session, f, per_page=4, after=first.next_after or "")
    every = [r.id for r, _ in iter_queue(session, f)]
    assert [r.id for r, _ in second.rows] == every[3:7]
