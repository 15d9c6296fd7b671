"""Tiers and escalation in the router: first line first, an escalated call only to its tier or higher,
keeping its place ahead of later callers."""

from __future__ import annotations

import pytest

from routing.engine import RoutingError
from routing.model import Call, RelaxStep
from tests.routing.test_engine import agent, router_with


def test_first_line_is_offered_calls_before_higher_tiers() -> None:
    # The expert has been idle longest, yet the first-line agent is offered the call.
    router = router_with(agent("expert", {"s": 1}, idle=0.0, tier=3), agent("l1", {"s": 1}, idle=5.0))
    decision = router.arrive(Call("c", {"s": 1}, 10.0), 10.0)
    assert decision is not None and decision.agent_id == "l1"


def test_escalated_call_goes_to_the_next_tier_ahead_of_later_callers_and_never_back() -> None:
    router = router_with(agent("l1", {"s": 1}, idle=0.0), agent("l2", {"s": 1}, idle=1.0, tier=2))
    assert router.arrive(Call("first", {"s": 1}, 10.0), 10.0).agent_id == "l1"  # type: ignore[union-attr]
    assert router.arrive(Call("busy", {"s": 1}, 11.0), 11.0).agent_id == "l2"  # type: ignore[union-attr]
    assert router.arrive(Call("later", {"s": 1}, 12.0), 12.0) is None
    # l1 hands "first" on to tier 2 and takes the waiting "later" call itself.
    decisions = router.escalate("first", 20.0, min_tier=2, skills={"s": 3}, talk_s=10.0)
    assert [(d.call_id, d.agent_id) for d in decisions] == [("later", "l1")]
    assert router.waiting["first"].min_tier == 2 and router.queue_position("first") == 1
    assert router.agents["l1"].calls_handled == 1 and router.agents["l1"].talk_time_s == 10.0
    # l2 has skill level 1, the escalation asks for 3: nobody can take it yet.
    assert router.end_call("busy", 30.0) == []
    router.update_agent("l2", skills={"s": 3}, languages=frozenset({"en"}), tier=2, quality={}, now=31.0)
    assert router.on_call["first"] == "l2"
    # A new tier-2-only call would not be offered to l1 when it frees up.
    router.end_call("later", 40.0)
    assert router.agents["l1"].free and "first" not in router.waiting


def test_an_escalated_call_queues_before_later_calls_of_its_tier() -> None:
    router = router_with(agent("l1", {"s": 1}), agent("l2", {"s": 1}, tier=2))
    router.arrive(Call("early", {"s": 1}, 0.0), 0.0)  # to l1
    router.arrive(Call("l2call", {"s": 1}, 1.0), 1.0)  # to l2
    router.escalate("early", 5.0, min_tier=2)
    router.arrive(Call("late", {"s": 1}, 6.0, min_tier=2), 6.0)
    assert router.queue_position("early") == 1 and router.queue_position("late") == 2
    assert [d.call_id for d in router.end_call("l2call", 9.0)] == ["early"]


def test_an_escalated_call_is_not_relaxed_back_to_the_first_line() -> None:
    steps = (RelaxStep(after_s=5.0, widen=1), RelaxStep(after_s=10.0, remove=frozenset({"s"})))
    router = router_with(agent("l1", {"s": 3}), agent("l2", {"s": 3}, tier=2))
    router.arrive(Call("c", {"s": 3}, 0.0, steps=steps), 0.0)
    router.arrive(Call("other", {"s": 3}, 0.0), 0.0)  # keeps l2 busy
    router.escalate("c", 2.0, min_tier=2)
    router.tick(100.0)
    assert "c" in router.waiting and router.waiting["c"].requirement() == {"s": 3}
    assert router.agents["l1"].free  # free, but below the call's tier


def test_escalation_must_go_up_from_the_agents_tier() -> None:
    router = router_with(agent("l2", {"s": 1}, tier=2))
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    with pytest.raises(RoutingError, match="higher tier"):
        router.escalate("c", 1.0, min_tier=2)
    with pytest.raises(RoutingError, match="not with an agent"):
        router.escalate("nobody", 1.0, min_tier=3)
    assert router.on_call["c"] == "l2"  # a refused escalation changes nothing
