"""Warm transfer in the router: a consult leg offered to a higher tier while the first agent keeps the
caller, then the transfer completed (the colleague holds the call, the first agent is done) or cancelled
(the colleague is free again)."""

from __future__ import annotations

import pytest

from routing.engine import RoutingError
from routing.model import AgentStatus, Call
from tests.routing.test_engine import agent, router_with


def leg(
    leg_id: str, call_id: str, *, at: float = 0.0, tier: int = 2, skills: dict[str, int] | None = None
) -> Call:
    return Call(leg_id, skills or {"s": 1}, at, min_tier=tier, consult_of=call_id)


def test_a_consult_goes_to_the_higher_tier_and_a_completed_transfer_moves_the_call() -> None:
    router = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 4}, tier=2), wrap_up_s=30.0)
    assert router.arrive(Call("c", {"s": 1}, 0.0), 0.0).agent_id == "l1"  # type: ignore[union-attr]
    offer = router.consult(leg("k", "c", skills={"s": 4}), 10.0)
    assert offer is not None and offer.agent_id == "l2"
    assert router.on_call == {"c": "l1", "k": "l2"}  # the first agent keeps the caller while they talk
    assert {router.agents[a].status for a in ("l1", "l2")} == {AgentStatus.ON_CALL}
    assert router.complete_transfer("k", 40.0, talk_s=35.0) == []  # l1 wraps up
    assert router.on_call == {"c": "l2"} and router.agents["l2"].active_calls == 1
    assert router.agents["l1"].status == AgentStatus.WRAP_UP and router.agents["l1"].calls_handled == 1
    assert router.agents["l1"].talk_time_s == 35.0 and router.agents["l2"].calls_handled == 0
    assert router._offered["c"].min_tier == 2 and router._offered["c"].skills == {"s": 4}
    router.end_call("c", 50.0)
    assert router.agents["l2"].calls_handled == 1


def test_a_cancelled_consult_frees_the_colleague_and_the_caller_stays() -> None:
    router = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 1}, tier=2))
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    router.consult(leg("k", "c"), 5.0)
    router.arrive(Call("later", {"s": 1}, 6.0, min_tier=2), 6.0)  # waits: l2 is on the consult
    # Cancelled, l2 is free at once (no wrap-up: a consult is no handled call) and takes the waiting call.
    assert [(d.call_id, d.agent_id) for d in router.cancel_consult("k", 9.0)] == [("later", "l2")]
    assert router.on_call == {"c": "l1", "later": "l2"} and router.agents["l2"].calls_handled == 0


def test_a_waiting_consult_goes_ahead_of_later_callers_and_is_re_offered_when_missed() -> None:
    router = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 1}, tier=2), agent("x", {"s": 1}, tier=2))
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)  # to l1
    router.arrive(Call("b1", {"s": 1}, 1.0, min_tier=2), 1.0)  # to l2 (idle longest)
    router.arrive(Call("b2", {"s": 1}, 2.0, min_tier=2), 2.0)  # to x
    router.arrive(Call("later", {"s": 1}, 3.0, min_tier=2), 3.0)  # waits
    assert router.consult(leg("k", "c", at=0.0), 10.0) is None  # waits, with the held call's arrival time
    assert router.queue_position("k") == 1 and router.queue_position("later") == 2
    assert [d.call_id for d in router.end_call("b1", 20.0)] == ["k"]
    # l2 does not answer: the consult goes back first in line and x takes it when free.
    assert router.no_answer("k", 25.0) == []
    assert [(d.call_id, d.agent_id) for d in router.end_call("b2", 30.0)] == [("k", "x")]
    # A cancelled waiting consult simply leaves the queue.
    router2 = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 1}, tier=2))
    router2.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    router2.arrive(Call("busy", {"s": 1}, 0.0, min_tier=2), 0.0)
    router2.consult(leg("k", "c"), 1.0)
    assert router2.cancel_consult("k", 2.0) == [] and "k" not in router2.waiting


def test_a_consult_must_go_up_and_only_one_at_a_time() -> None:
    router = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 1}, tier=2), agent("l3", {"s": 1}, tier=3))
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    with pytest.raises(RoutingError, match="tier 1"):
        router.consult(leg("k", "c", tier=1), 1.0)
    with pytest.raises(RoutingError, match="not with an agent"):
        router.consult(leg("k", "nobody"), 1.0)
    router.consult(leg("k", "c"), 1.0)
    with pytest.raises(RoutingError, match="already has a consult"):
        router.consult(leg("k2", "c", tier=3), 1.0)
    with pytest.raises(RoutingError, match="not with an agent"):
        router.complete_transfer("k2", 2.0, talk_s=1.0)
    with pytest.raises(RoutingError, match="names no held call"):
        router.consult(Call("k3", {"s": 1}, 0.0, min_tier=2), 1.0)
