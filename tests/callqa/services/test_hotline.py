"""The hotline service on a real database: routing persisted, restart, concurrency, wait estimates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineError
from models import Agent, HotlineCall, RoutingDecision, make_engine, make_session_factory
from models.migrate import upgrade_database
from routing.config import RoutingConfigError, load_routing_config
from routing.service import set_skills, utc
from tests.conftest import _BACKENDS, fresh_database, reset_postgres


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=_BACKENDS)
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated database that commits for real (the hotline owns its transactions)."""
    url = fresh_database(request.param, tmp_path)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()
    if url.startswith("postgresql"):  # leave PostgreSQL empty and migrated for the other tests
        reset_postgres(url)
        upgrade_database(url)


def add_agents(factory: sessionmaker[Session], **agents: dict[str, int]) -> dict[str, int]:
    ids = {}
    with factory() as s:
        for name, own in agents.items():
            agent = Agent(name=name)
            s.add(agent)
            set_skills(s, agent, own)
            ids[name] = agent.id
        s.commit()
    return ids


def test_a_whole_call_is_routed_logged_and_survives_a_restart(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, bea={"billing": 3}, carl={"billing": 2, "technical": 4})
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    hotline.set_agent_state(ids["bea"], "available")
    clock.now += 5
    hotline.set_agent_state(ids["carl"], "available")
    first = hotline.call_arrived("+4420000001", ivr_choice="1")  # billing ≥ 2: longest idle is bea
    assert (first.state, first.agent_id) == ("offered", ids["bea"])
    hotline.answer(first.call_id)
    second = hotline.call_arrived("+4420000002", ivr_choice="1")
    assert second.agent_id == ids["carl"]
    third = hotline.call_arrived("+4420000003", skills={"billing": 2}, priority=0)
    assert third.state == "waiting" and third.position == 1
    assert "number 1 in the queue" in (third.announcement or "")

    restarted = Hotline(factory, load_routing_config(None), clock=clock)  # e.g. after a server restart
    assert set(restarted.router.waiting) == {str(third.call_id)}
    assert restarted.router.on_call == {
        str(first.call_id): str(ids["bea"]),
        str(second.call_id): str(ids["carl"]),
    }
    clock.now += 60
    restarted.end(first.call_id)
    clock.now += 10  # wrap-up (10 s in the default config) ends: bea takes the waiting call
    assert restarted.tick() == 1
    assert restarted.call_view(third.call_id).agent_id == ids["bea"]
    [decision] = restarted.decisions(third.call_id)
    assert decision.strategy == "longest-idle" and decision.wait_s == pytest.approx(70.0)
    assert decision.candidates[0]["agent_id"] == str(ids["bea"])


def test_no_answer_re_offers_elsewhere_and_abandon_frees_the_agent(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, dan={"sales": 1}, eve={"sales": 1})
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    hotline.set_agent_state(ids["dan"], "available")
    clock.now += 1
    hotline.set_agent_state(ids["eve"], "available")
    call = hotline.call_arrived("+1", ivr_choice="3")
    assert call.agent_id == ids["dan"]
    again = hotline.reject(call.call_id)
    assert (again.state, again.agent_id) == ("offered", ids["eve"])
    assert hotline.agent_view(ids["dan"]).status == "break"  # paused after not answering
    gone = hotline.abandon(call.call_id)
    assert gone.state == "abandoned"
    assert hotline.agent_view(ids["eve"]).status == "available"
    with pytest.raises(HotlineError):
        hotline.answer(call.call_id)


def test_callback_keeps_the_place_and_estimates_use_history(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, fay={"technical": 4})
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    hotline.set_agent_state(ids["fay"], "available")
    busy = hotline.call_arrived("+1", ivr_choice="2")
    hotline.answer(busy.call_id)
    a = hotline.call_arrived("+2", ivr_choice="2")
    b = hotline.call_arrived("+3", ivr_choice="2")
    assert (a.position, b.position) == (1, 2)
    assert b.estimated_wait_s == 2 * 180  # no history yet: the configured AHT, one agent
    hotline.request_callback(a.call_id, "+44 7700 900000")
    assert hotline.call_view(a.call_id).position == 1
    assert hotline.stats().callbacks_waiting == 1
    clock.now += 50
    hotline.end(busy.call_id)  # history: a 50 s call + 10 s wrap-up
    assert hotline.call_view(b.call_id).estimated_wait_s == 2 * 60


def test_concurrent_arrivals_never_give_one_agent_two_calls(factory: sessionmaker[Session]) -> None:
    ids = add_agents(factory, **{f"agent{i}": {"billing": 3} for i in range(3)})
    hotline = Hotline(factory, load_routing_config(None))
    for agent_id in ids.values():
        hotline.set_agent_state(agent_id, "available")
    barrier = threading.Barrier(8)

    def arrive(i: int) -> None:
        barrier.wait()
        hotline.call_arrived(f"+{i}", ivr_choice="1")

    threads = [threading.Thread(target=arrive, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        offered = s.scalars(select(HotlineCall.agent_id).where(HotlineCall.state == "offered")).all()
        assert sorted(a for a in offered if a is not None) == sorted(ids.values())
        assert None not in offered
        assert len(s.scalars(select(RoutingDecision)).all()) == 3
        assert len(s.scalars(select(HotlineCall).where(HotlineCall.state == "waiting")).all()) == 5


def test_the_database_refuses_a_second_active_call_for_an_agent(factory: sessionmaker[Session]) -> None:
    ids = add_agents(factory, gus={"billing": 3})
    with factory() as s:
        s.add(HotlineCall(caller_number="+1", agent_id=ids["gus"], state="talking", skills={}, excluded=[]))
        s.add(HotlineCall(caller_number="+2", agent_id=ids["gus"], state="offered", skills={}, excluded=[]))
        with pytest.raises(IntegrityError):
            s.commit()


def test_unknown_ivr_choice_and_bad_config_are_clear_errors(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    hotline = Hotline(factory, load_routing_config(None))
    with pytest.raises(HotlineError, match="unknown IVR choice '9'"):
        hotline.call_arrived("+1", ivr_choice="9")
    bad = tmp_path / "routing.yaml"
    bad.write_text("strategy: fastest\n")
    with pytest.raises(RoutingConfigError, match=r"routing\.yaml.*unknown strategy"):
        load_routing_config(bad)


def test_history_replays_through_the_simulator(factory: sessionmaker[Session]) -> None:
    from routing.service import replay_scenario
    from routing.simulator import simulate

    clock = Clock()
    config = load_routing_config(None)
    ids = add_agents(factory, hal={"billing": 3})
    hotline = Hotline(factory, config, clock=clock)
    hotline.set_agent_state(ids["hal"], "available")
    for i in range(6):  # one agent, a call every 30 s lasting 90 s: a queue builds up
        call = hotline.call_arrived(f"+{i}", ivr_choice="1")
        clock.now += 30
        if i == 5:
            hotline.abandon(call.call_id)
    for _ in range(40):
        clock.now += 30
        hotline.tick()
        with factory() as s:
            for row in s.scalars(select(HotlineCall).where(HotlineCall.state.in_(("offered", "talking")))):
                if row.state == "offered":
                    hotline.answer(row.id)
                elif row.answered_at is not None and clock.now - row.answered_at.timestamp() >= 90:
                    hotline.end(row.id)
    with factory() as s:
        scenario = replay_scenario(s, config, now=utc(clock.now), days=1.0)
        bigger = replay_scenario(
            s, config, now=utc(clock.now), days=1.0, extra_agents=2, extra_skills={"billing": 3}
        )
    assert scenario.n_calls == 6 and len(scenario.agents) == 1 and len(bigger.agents) == 3
    assert [c.at for c in scenario.replay][:3] == [0.0, 30.0, 60.0]
    alone, helped = simulate(scenario), simulate(bigger)
    assert helped.asa < alone.asa
    assert helped.calls == alone.calls == 6


def test_a_repeat_caller_whose_call_was_escalated_starts_at_that_tier(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, first={"billing": 3}, second={"billing": 4})
    with factory() as s:
        second = s.get(Agent, ids["second"])
        assert second is not None
        second.tier = 2
        s.commit()
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    hotline.set_agent_state(ids["first"], "available")
    call = hotline.call_arrived("+4420000009", ivr_choice="1")
    assert call.agent_id == ids["first"]  # the first line first
    hotline.answer(call.call_id)
    escalated = hotline.escalate(call.call_id, reason="refund over the limit")
    assert (escalated.state, escalated.min_tier) == ("waiting", 2)  # the second line is offline
    clock.now += 30
    hotline.abandon(call.call_id)
    stats = hotline.stats()  # answered by the first line: not abandoned as well
    assert (stats.answered_24h, stats.abandoned_24h) == (1, 0)
    clock.now += 3600  # the caller rings again for the same need: straight to the second line
    again = hotline.call_arrived("+4420000009", ivr_choice="1")
    assert (again.state, again.min_tier) == ("waiting", 2)
    other_need = hotline.call_arrived("+4420000009", ivr_choice="3", skills={"billing": 1})
    assert (other_need.min_tier, other_need.agent_id) == (1, ids["first"])  # the first line takes it
    someone_else = hotline.call_arrived("+4420000010", ivr_choice="1")
    assert (someone_else.min_tier, someone_else.state) == (1, "waiting")
    hotline.set_agent_state(ids["second"], "available")  # the repeat caller came first
    assert hotline.call_view(again.call_id).agent_id == ids["second"]
    clock.now += 8 * 86400  # a week later the escalation no longer counts
    assert hotline.call_arrived("+4420000009", ivr_choice="1").min_tier == 1
