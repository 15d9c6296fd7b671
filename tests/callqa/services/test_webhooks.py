"""Webhooks: events written to the outbox in the transaction that makes them (none when it rolls back),
signed deliveries to a real localhost receiver, retries with backoff until it recovers, a failed delivery
after the last attempt, and one claim per delivery however many senders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.hotline import Hotline
from callqa.services.webhook_sender import DeliveryPolicy, _claim, deliver_due
from callqa.services.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookInputError,
    create_subscription,
    install_outbox,
    verify,
)
from models import Agent, HotlineCall, User, WebhookDelivery, make_engine, make_session_factory
from models.sealed import SecretBox
from routing.config import load_routing_config
from routing.service import set_skills
from scoring.disputes import open_dispute, resolve_dispute
from scoring.review import Decision, FlagSeverity, flag_call, submit_review
from scoring.scorecard import load_scorecard
from tests.callqa.services.webhook_receiver import Receiver
from tests.conftest import create_scored_call, make_analysis
from tests.live import seed_database

FAST = DeliveryPolicy(timeout_s=5.0, base_s=0.0, max_s=0.0, max_attempts=3)
BOX = SecretBox("a test key of thirty-two characters or more")


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    seed_database(url)
    made = make_session_factory(make_engine(url))
    install_outbox(made)
    return made


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(fail_first=2)
    yield made
    made.stop()


def _deliveries(factory: sessionmaker[Session]) -> list[WebhookDelivery]:
    with factory() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_events_enter_the_outbox_only_when_their_transaction_commits(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        create_subscription(s, url="http://127.0.0.1:9/hook", events=["call.scored"], box=BOX)
        create_subscription(s, url="http://127.0.0.1:9/all", events=["*"], secret="t" * 32, box=BOX)
        agent_id = s.scalars(select(Agent.id)).one()
        s.commit()
    with factory() as s:
        create_scored_call(s, agent_id, {"greeting": True})
        s.rollback()  # the score was never stored: nothing may be announced
    assert _deliveries(factory) == []
    with factory() as s:
        call = create_scored_call(s, agent_id, {"greeting": True})
        s.commit()
        call_id = call.id
    scored = [d for d in _deliveries(factory) if d.event == "call.scored"]
    assert len(scored) == 2  # one per subscription, the same event id
    assert scored[0].payload["id"] == scored[1].payload["id"]
    assert (
        scored[0].payload["data"]["call_id"] == call_id and scored[0].payload["data"]["agent_id"] == agent_id
    )
    with pytest.raises(WebhookInputError, match="unknown event"), factory() as s:
        create_subscription(s, url="http://x/", events=["call.exploded"], box=BOX)


def test_hotline_events_are_delivered_signed_and_retried_until_the_receiver_recovers(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    secret = "k" * 32
    with factory() as s:
        sub = create_subscription(
            s, url=receiver.url, events=["call.routed", "call.ended"], secret=secret, box=BOX
        ).row
        agent = s.scalars(select(Agent)).one()
        set_skills(s, agent, {"billing": 3})
        s.commit()
        sub_id, agent_id = sub.id, agent.id
    hotline = Hotline(factory, load_routing_config(None))
    hotline.set_agent_state(agent_id, "available")
    call = hotline.call_arrived("+44 20 7946 0001", ivr_choice="1", pbx_call_id="1765.1")
    hotline.answer(call.call_id)
    hotline.end(call.call_id)

    with httpx.Client(timeout=5) as client:
        attempts = 0
        while len(receiver.accepted()) < 2 and attempts < 10:
            deliver_due(factory, client, FAST, BOX)
            attempts += 1
    accepted = receiver.accepted()
    assert [r.json()["event"] for r in accepted] == ["call.routed", "call.ended"]
    routed = accepted[0].json()["data"]
    assert routed["agent_id"] == agent_id and routed["pbx_call_id"] == "1765.1"
    for r in accepted:
        assert verify(secret, int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER])
        assert not verify("wrong" * 8, int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER])
    log = _deliveries(factory)
    assert [d.status for d in log] == ["delivered", "delivered"] and all(
        d.subscription_id == sub_id for d in log
    )
    assert sum(d.attempts for d in log) == 4  # the receiver failed twice first
    assert len(receiver.received) == 4


def test_a_delivery_fails_after_its_last_attempt_with_the_error_kept(factory: sessionmaker[Session]) -> None:
    dead = Receiver(fail_first=100)
    try:
        with factory() as s:
            create_subscription(s, url=dead.url, events=["call.abandoned"], secret="d" * 32, box=BOX)
            s.add(HotlineCall(caller_number="1", skills={}, excluded=[], state="abandoned"))
            s.commit()
        with httpx.Client(timeout=5) as client:
            for _ in range(5):
                deliver_due(factory, client, FAST, BOX)
        [delivery] = _deliveries(factory)
        assert delivery.status == "failed" and delivery.attempts == FAST.max_attempts
        assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500: no"
        assert len(dead.received) == FAST.max_attempts
    finally:
        dead.stop()


def test_backoff_doubles_up_to_its_cap_and_a_delivery_is_claimed_once(factory: sessionmaker[Session]) -> None:
    policy = DeliveryPolicy(base_s=5.0, max_s=60.0)
    assert [policy.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [5.0, 10.0, 20.0, 40.0, 60.0]
    with factory() as s:
        create_subscription(s, url="http://127.0.0.1:9/hook", events=["*"], secret="c" * 32, box=BOX)
        s.add(HotlineCall(caller_number="1", skills={}, excluded=[], state="abandoned"))
        s.commit()
    first, second = _claim(factory, FAST, BOX), _claim(factory, FAST, BOX)
    assert len(first) == 1 and second == []  # the claim holds until the HTTP timeout has passed


def test_review_and_dispute_changes_are_announced(factory: sessionmaker[Session]) -> None:
    card = load_scorecard(None)
    with factory() as s:
        create_subscription(s, url="http://127.0.0.1:9/hook", events=["*"], secret="r" * 32, box=BOX)
        agent_id = s.scalars(select(Agent.id)).one()
        qa_user = s.scalars(select(User.id).where(User.username == "qa")).one()
        tom_user = s.scalars(select(User.id).where(User.username == "tom")).one()
        analysis = make_analysis({"greeting": "fail"}, violations=[("rude", "uncertain")], caller_end="neg")
        call = create_scored_call(s, agent_id, {"greeting": False, "closing": True}, analysis=analysis)
        review = flag_call(s, call, weights=FlagSeverity(3, 1, 2), sample_per_week=0, sample_rate=0.0)
        assert review is not None
        s.commit()
        submit_review(
            s, review, reviewer_id=qa_user, decisions={"greeting": Decision(True, "said it")}, scorecard=card
        )
        s.commit()
        dispute = open_dispute(s, call=call, item="closing", author_id=tom_user, comment="I did close")
        s.commit()
        resolve_dispute(s, dispute, resolver_id=qa_user, upheld=True, resolution="agreed", scorecard=card)
        s.commit()
        call_id, review_id, dispute_id = call.id, review.id, dispute.id
    events = [(d.event, d.payload["data"]) for d in _deliveries(factory)]
    names = [name for name, _ in events]
    assert names[:2] == ["call.scored", "call.flagged"] and names[-3:] == [
        "review.done",
        "dispute.filed",
        "dispute.resolved",
    ]
    data = dict(events)
    assert data["call.flagged"]["review_id"] == review_id and data["call.flagged"]["agent_id"] == agent_id
    assert data["review.done"]["call_id"] == call_id and data["review.done"]["final_total"] is not None
    assert data["dispute.resolved"] == {
        **data["dispute.resolved"],
        "dispute_id": dispute_id,
        "state": "upheld",
    }
