"""The router: strategies, skills and proficiency, relaxation, priorities, wrap-up, no-answer, callbacks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.engine import Router, RoutingError
from routing.model import Agent, AgentStatus, Call, RelaxStep
from routing.strategies import STRATEGY_NAMES


def agent(agent_id: str, skills: dict[str, int], *, idle: float = 0.0, **kw: object) -> Agent:
    return Agent(agent_id, skills, status=AgentStatus.AVAILABLE, idle_since=idle, **kw)  # type: ignore[arg-type]


def router_with(*agents: Agent, strategy: str = "longest-idle", **kw: object) -> Router:
    router = Router(strategy, **kw)  # type: ignore[arg-type]
    for a in agents:
        router.add_agent(a, now=a.idle_since)
    return router


@pytest.mark.parametrize(
    ("strategy", "winner"),
    [
        ("longest-idle", "early"),
        ("fewest-calls", "fresh"),
        ("least-talk-time", "quiet"),
        ("best-proficiency", "expert"),
        ("quality-weighted", "careful"),
        ("round-robin", "fresh"),
    ],
)
def test_each_strategy_picks_its_agent_and_says_why(strategy: str, winner: str) -> None:
    router = router_with(
        agent("early", {"billing": 2}, idle=1.0, calls_handled=9, talk_time_s=900, last_offered_seq=5),
        agent("fresh", {"billing": 2}, idle=5.0, calls_handled=0, talk_time_s=300, last_offered_seq=0),
        agent("quiet", {"billing": 2}, idle=6.0, calls_handled=4, talk_time_s=10, last_offered_seq=3),
        agent("expert", {"billing": 5}, idle=7.0, calls_handled=5, talk_time_s=800, last_offered_seq=4),
        agent(
            "careful",
            {"billing": 2},
            idle=8.0,
            calls_handled=5,
            talk_time_s=800,
            last_offered_seq=6,
            quality={"billing": 97.0},
        ),
        strategy=strategy,
    )
    decision = router.arrive(Call("c1", {"billing": 1}, arrived_at=10.0), now=10.0)
    assert decision is not None and decision.agent_id == winner
    assert decision.strategy == strategy and winner in decision.reason
    assert len(decision.candidates) == 5 and decision.candidates[0].agent_id == winner


def test_random_strategy_is_reproducible_with_a_seed() -> None:
    picks = []
    for _ in range(2):
        router = router_with(*(agent(f"a{i}", {"s": 1}) for i in range(10)), strategy="random", seed=7)
        picks.append([router.arrive(Call(f"c{i}", {"s": 1}, 0.0), 0.0).agent_id for i in range(5)])  # type: ignore[union-attr]
    assert picks[0] == picks[1]
    assert "random" in STRATEGY_NAMES


def test_unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown strategy"):
        Router("cheapest")


def test_skills_proficiency_and_language_decide_eligibility() -> None:
    router = router_with(
        agent("junior", {"tech": 2}, idle=0.0),
        agent("senior-fr", {"tech": 4}, idle=0.0, languages=frozenset({"fr"})),
        agent("senior", {"tech": 4, "billing": 3}, idle=1.0),
    )
    assert router.arrive(Call("c1", {"tech": 3}, 0.0), 0.0).agent_id == "senior"  # type: ignore[union-attr]
    assert router.arrive(Call("c2", {"tech": 3}, 0.0, language="fr"), 0.0).agent_id == "senior-fr"  # type: ignore[union-attr]
    assert router.arrive(Call("c3", {"tech": 3}, 0.0), 0.0) is None  # queued: nobody qualified is free
    assert router.queue_position("c3") == 1


def test_priority_then_arrival_order_when_an_agent_frees_up() -> None:
    router = router_with(agent("a", {"s": 1}))
    router.arrive(Call("busy", {"s": 1}, 0.0), 0.0)
    router.arrive(Call("first", {"s": 1}, 1.0), 1.0)
    router.arrive(Call("vip", {"s": 1}, 2.0, priority=5), 2.0)
    router.arrive(Call("second", {"s": 1}, 3.0), 3.0)
    assert router.queue_position("vip") == 1 and router.queue_position("second") == 3
    order = [
        d.call_id for t, c in ((10.0, "busy"), (20.0, "vip"), (30.0, "first")) for d in router.end_call(c, t)
    ]
    assert order == ["vip", "first", "second"]


def test_relaxation_widens_proficiency_then_swaps_skills_over_time() -> None:
    steps = (
        RelaxStep(after_s=30.0, widen=2),
        RelaxStep(after_s=60.0, remove=frozenset({"tech"}), add=(("general", 1),)),
    )
    router = router_with(agent("mid", {"tech": 2}), agent("generalist", {"general": 3}))
    router.set_status("mid", AgentStatus.BREAK, 0.0)
    assert router.arrive(Call("c", {"tech": 4}, 0.0, steps=steps), 0.0) is None
    assert router.tick(29.0) == []
    router.set_status("mid", AgentStatus.AVAILABLE, 29.5)  # tech 2 < 4: still not eligible
    assert router.waiting["c"].requirement() == {"tech": 4}
    [relaxed] = router.tick(30.0)
    assert (relaxed.agent_id, relaxed.requirement, relaxed.relax_level) == ("mid", {"tech": 2}, 1)


def test_relaxation_can_add_a_skill_and_drop_the_original() -> None:
    steps = (RelaxStep(after_s=45.0, remove=frozenset({"tech"}), add=(("general", 1),)),)
    router = router_with(agent("generalist", {"general": 3}))
    assert router.arrive(Call("c", {"tech": 4}, 0.0, steps=steps), 0.0) is None
    [decision] = router.tick(45.0)
    assert decision.agent_id == "generalist" and decision.requirement == {"general": 1}
    assert decision.wait_s == 45.0


def test_wrap_up_keeps_the_agent_unavailable_until_it_ends() -> None:
    router = router_with(agent("a", {"s": 1}), wrap_up_s=15.0)
    router.arrive(Call("c1", {"s": 1}, 0.0), 0.0)
    assert router.end_call("c1", 100.0, talk_s=100.0) == []
    assert router.arrive(Call("c2", {"s": 1}, 101.0), 101.0) is None
    assert router.agents["a"].status == AgentStatus.WRAP_UP and router.next_event_time() == 115.0
    [decision] = router.tick(115.0)
    assert decision.call_id == "c2" and decision.wait_s == 14.0
    assert router.agents["a"].calls_handled == 1 and router.agents["a"].talk_time_s == 100.0


def test_no_answer_skips_the_agent_and_re_offers_the_call_keeping_its_place() -> None:
    router = router_with(agent("sleepy", {"s": 1}, idle=0.0), agent("awake", {"s": 1}, idle=1.0))
    router.set_status("awake", AgentStatus.BREAK, 1.0)
    router.arrive(Call("c1", {"s": 1}, 2.0), 2.0)
    router.arrive(Call("c2", {"s": 1}, 3.0), 3.0)
    assert router.no_answer("c1", 20.0) == []  # sleepy paused; nobody else free: c1 waits, ahead of c2
    assert router.agents["sleepy"].status == AgentStatus.BREAK
    assert router.queue_position("c1") == 1
    [decision] = router.set_status("awake", AgentStatus.AVAILABLE, 25.0)
    assert decision.call_id == "c1" and decision.wait_s == 23.0
    router.set_status("sleepy", AgentStatus.AVAILABLE, 26.0)
    assert router.on_call["c2"] == "sleepy"


def test_no_answer_agent_is_never_offered_the_same_call_again() -> None:
    router = router_with(agent("only", {"s": 1}))
    router.arrive(Call("c1", {"s": 1}, 0.0), 0.0)
    assert router.no_answer("c1", 5.0, pause_agent=False) == []
    assert router.agents["only"].free and "c1" in router.waiting


def test_callback_keeps_the_callers_place() -> None:
    router = router_with(agent("a", {"s": 1}))
    router.arrive(Call("busy", {"s": 1}, 0.0), 0.0)
    router.arrive(Call("early", {"s": 1}, 1.0), 1.0)
    router.arrive(Call("late", {"s": 1}, 2.0), 2.0)
    router.request_callback("early")
    assert router.queue_position("early") == 1 and router.waiting["early"].callback
    [decision] = router.end_call("busy", 50.0)
    assert decision.call_id == "early"


def test_abandon_and_errors() -> None:
    router = router_with(agent("a", {"s": 1}))
    router.set_status("a", AgentStatus.BREAK, 0.0)
    router.arrive(Call("c", {"s": 1}, 0.0), 0.0)
    assert router.abandon("c") and not router.abandon("c")
    router.set_status("a", AgentStatus.AVAILABLE, 5.0)
    assert router.on_call == {}
    with pytest.raises(RoutingError):
        router.end_call("nope", 1.0)
    with pytest.raises(RoutingError):
        router.set_status("ghost", AgentStatus.AVAILABLE, 1.0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["arrive", "end", "break", "back", "noanswer", "tick"]), st.integers(0, 5)),
        max_size=60,
    )
)
def test_an_agent_is_never_assigned_two_calls_beyond_capacity(ops: list[tuple[str, int]]) -> None:
    router = router_with(*(agent(f"a{i}", {"s": 1 + i % 3}) for i in range(4)), wrap_up_s=3.0)
    now, n = 0.0, 0
    for op, arg in ops:
        now += 1.0
        if op == "arrive":
            router.arrive(Call(f"c{n}", {"s": 1 + arg % 3}, now), now)
            n += 1
        elif op in ("end", "noanswer") and router.on_call:
            call_id = sorted(router.on_call)[arg % len(router.on_call)]
            router.end_call(call_id, now) if op == "end" else router.no_answer(call_id, now)
        elif op == "break":
            router.set_status(
                f"a{arg % 4}", AgentStatus.BREAK, now
            ) if f"a{arg % 4}" not in router.on_call.values() else None
        elif op == "back":
            if router.agents[f"a{arg % 4}"].status == AgentStatus.BREAK:
                router.set_status(f"a{arg % 4}", AgentStatus.AVAILABLE, now)
        else:
            router.tick(now + arg)
        agents_busy = list(router.on_call.values())
        assert len(agents_busy) == len(set(agents_busy))
        assert not set(router.waiting) & set(router.on_call)
        for a in router.agents.values():
            assert a.active_calls == agents_busy.count(a.id) <= a.capacity


def test_restore_keeps_a_held_call_with_its_agent_and_free_agents_take_waiting_calls() -> None:
    router = Router()
    held = Call("c1", {"billing": 1}, arrived_at=0.0)
    busy = Agent("busy", {"billing": 3}, status=AgentStatus.BREAK)
    assert router.restore_agent(busy, [held], now=10.0) == []
    assert router.find_agent("busy") is busy and busy.status == AgentStatus.ON_CALL
    assert router.on_call == {"c1": "busy"}
    assert router.arrive(Call("c2", {"billing": 1}, arrived_at=5.0), now=10.0) is None
    [decision] = router.restore_agent(agent("free", {"billing": 1}), [], now=11.0)
    assert (decision.call_id, decision.agent_id) == ("c2", "free")


def test_wait_estimate_counts_only_agents_who_could_take_the_call() -> None:
    router = router_with(
        agent("bill", {"billing": 3}),
        Agent("tech", {"technical": 5}, status=AgentStatus.BREAK),
        Agent("gone", {"technical": 5}, status=AgentStatus.OFFLINE),
    )
    router.arrive(Call("c1", {"billing": 1}, arrived_at=0.0), now=0.0)  # bill takes it
    router.arrive(Call("c2", {"technical": 4}, arrived_at=1.0), now=1.0)
    router.arrive(Call("c3", {"technical": 4}, arrived_at=2.0), now=2.0)
    assert router.staffed_for("c3") == 1  # tech (on a break) counts, gone (offline) does not
    assert router.estimated_wait_s("c3", aht_s=100.0) == 200.0  # second in line, one agent
    router.arrive(Call("c4", {"sales": 1}, arrived_at=3.0), now=3.0)
    assert router.estimated_wait_s("c4", aht_s=100.0) == float("inf")
    with pytest.raises(RoutingError):
        router.staffed_for("c1")
