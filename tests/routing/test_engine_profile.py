"""The router and what agents carry besides skills: languages (and relaxing them), tier, live edits of
skills and quality, wrap-up restored after a restart, calls nobody could take, readable reasons."""

from __future__ import annotations

import pytest

from routing.engine import Router, RoutingError
from routing.model import Agent, AgentStatus, Call, RelaxStep
from routing.strategies import format_duration


def free(agent_id: str, skills: dict[str, int], **kw: object) -> Agent:
    return Agent(agent_id, skills, status=AgentStatus.AVAILABLE, **kw)  # type: ignore[arg-type]


def test_relaxation_can_widen_the_language() -> None:
    steps = (RelaxStep(after_s=120.0, languages=frozenset({"en"})),)
    router = Router()
    router.add_agent(free("en-only", {"billing": 3}), 0.0)
    call = Call("c", {"billing": 1}, 0.0, language="zh", steps=steps)
    assert router.unservable(call) is None  # an English speaker may take it after 120 s
    assert router.arrive(call, 0.0) is None
    assert router.tick(119.0) == []
    [decision] = router.tick(120.0)
    assert decision.agent_id == "en-only" and decision.reason.endswith("after relaxation step 1")


def test_tier_one_is_offered_calls_before_tier_two() -> None:
    router = Router()
    router.add_agent(free("overflow", {"s": 1}, tier=2, idle_since=1.0), 100.0)
    router.add_agent(free("core", {"s": 1}, tier=1, idle_since=50.0), 100.0)
    first = router.arrive(Call("c1", {"s": 1}, 100.0), 100.0)
    second = router.arrive(Call("c2", {"s": 1}, 100.0), 100.0)
    assert first is not None and second is not None
    assert (first.agent_id, second.agent_id) == ("core", "overflow")
    assert "tier 2" in second.reason


def test_skill_and_language_edits_apply_to_a_routed_agent_at_once() -> None:
    router = Router()
    router.add_agent(free("a", {"billing": 2}), 0.0)
    router.add_agent(Agent("b", {"technical": 5}), 0.0)  # offline: keeps the call servable
    assert router.arrive(Call("c", {"technical": 3}, 1.0, language="zh"), 1.0) is None
    assert (
        router.update_agent(
            "a", skills={"technical": 4}, languages=frozenset({"en"}), tier=1, quality={}, now=2.0
        )
        == []
    )
    [decision] = router.update_agent(
        "a", skills={"technical": 4}, languages=frozenset({"en", "zh"}), tier=1, quality={}, now=3.0
    )
    assert decision.call_id == "c" and decision.wait_s == 2.0
    router.end_call("c", 4.0)
    router.update_agent("a", skills={}, languages=frozenset({"en"}), tier=1, quality={}, now=5.0)
    assert router.arrive(Call("d", {"technical": 1}, 5.0), 5.0) is None  # a no longer qualifies
    with pytest.raises(RoutingError):
        router.update_agent("ghost", skills={}, languages=frozenset(), tier=1, quality={}, now=5.0)


def test_a_removed_agent_takes_no_calls_but_one_with_a_call_cannot_be_removed() -> None:
    router = Router()
    router.add_agent(free("a", {"s": 1}), 0.0)
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    with pytest.raises(RoutingError, match="still has a call"):
        router.remove_agent("a")
    router.end_call("c", 1.0)
    router.remove_agent("a")
    assert router.find_agent("a") is None
    assert str(router.unservable(Call("d", {"s": 1}, 2.0))).endswith("no agent has the skill 's'")


def test_wrap_up_restored_after_a_restart_ends_at_its_deadline() -> None:
    router = Router(wrap_up_s=30.0)
    router.add_agent(Agent("a", {"s": 1}, status=AgentStatus.WRAP_UP, wrap_until=130.0), now=110.0)
    assert router.arrive(Call("c", {"s": 1}, 111.0), 111.0) is None
    assert router.next_event_time() == 130.0
    [decision] = router.tick(130.0)
    assert decision.agent_id == "a" and router.agents["a"].idle_since == 130.0


def test_unservable_says_why() -> None:
    router = Router()
    router.add_agent(Agent("a", {"billing": 2}, languages=frozenset({"en"})), 0.0)
    router.add_agent(Agent("b", {"technical": 4}, languages=frozenset({"zh"})), 0.0)

    def why(call: Call) -> str:
        refusal = router.unservable(call)
        assert refusal is not None
        return refusal.text("en").removeprefix("no agent could ever take this call: ")

    assert why(Call("c", {"klingon": 3}, 0.0)) == "no agent has the skill 'klingon'"
    assert why(Call("c", {"billing": 3}, 0.0)) == "no agent has billing at level 3 or above"
    assert why(Call("c", {"billing": 1}, 0.0, language="fr")) == "no agent speaks fr"
    assert why(Call("c", {"billing": 1}, 0.0, language="zh")) == "no agent who speaks zh has billing 1"
    relaxed = (RelaxStep(after_s=60.0, widen=1),)
    assert router.unservable(Call("c", {"billing": 3}, 0.0, steps=relaxed)) is None
    assert router.unservable(Call("c", {"technical": 4}, 0.0, language="zh")) is None


def test_decision_reasons_read_as_durations_not_epoch_numbers() -> None:
    now = 1_800_000_000.0
    router = Router()
    router.add_agent(free("ann", {"s": 1}, idle_since=now - 252), now)
    router.add_agent(free("bob", {"s": 1}, idle_since=now - 62), now)
    decision = router.arrive(Call("c", {"s": 1}, now), now)
    assert decision is not None
    assert (
        decision.reason
        == "longest idle: agent ann (idle 4 min 12 s), best of 2; next agent bob (idle 1 min 2 s)"
    )
    assert [c.why for c in decision.candidates] == [
        "agent ann (idle 4 min 12 s)",
        "agent bob (idle 1 min 2 s)",
    ]
    assert (format_duration(7), format_duration(3725)) == ("7 s", "1 h 2 min")


@pytest.mark.parametrize(
    ("strategy", "words"),
    [
        ("fewest-calls", "(3 calls handled)"),
        ("least-talk-time", "(talked 2 min 0 s)"),
        ("best-proficiency", "(proficiency s 4)"),
        ("quality-weighted", "(QA score 88.0)"),
        ("round-robin", "(offered least recently)"),
        ("random", "(drawn at random)"),
    ],
)
def test_every_strategy_explains_itself(strategy: str, words: str) -> None:
    router = Router(strategy)
    router.add_agent(free("a", {"s": 4}, calls_handled=3, talk_time_s=120.0, quality={"s": 88.0}), 0.0)
    decision = router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    assert (
        decision is not None
        and decision.reason == f"{strategy.replace('-', ' ')}: agent a {words}, best of 1; only candidate"
    )
