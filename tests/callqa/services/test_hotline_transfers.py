"""Warm transfer through the hotline service on a real database (SQLite and PostgreSQL): the router and the
stored copy stay in step through consult, answer, completion and cancellation, a restart at every step, a
caller hanging up on hold, and an admin editing the consulted tier while the consult waits."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineStateError
from models import Agent, AgentPresence, CallConsult, CallEscalation, HotlineCall
from routing.config import RoutingConfig, load_routing_config
from routing.escalations import EscalationError
from tests.callqa.services.test_hotline import Clock, add_agents, factory

__all__ = ["factory"]  # the fixture: SQLite and PostgreSQL


def config() -> RoutingConfig:
    return replace(load_routing_config(None), wrap_up_s=0.0)


def set_tier(factory: sessionmaker[Session], agent_id: int, tier: int) -> None:
    with factory() as s:
        agent = s.get(Agent, agent_id)
        assert agent is not None
        agent.tier = tier
        s.commit()


def test_a_warm_transfer_survives_a_restart_at_every_step(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, first={"billing": 3}, second={"billing": 4})
    set_tier(factory, ids["second"], 2)
    hotline = Hotline(factory, config(), clock=clock)
    hotline.set_agent_state(ids["first"], "available")
    call = hotline.call_arrived("+4420000001", ivr_choice="1")
    hotline.answer(call.call_id)
    clock.now += 30
    consult = hotline.consult(call.call_id, reason="refund above the first line's limit")
    # The second line's billing queue (tier_skills), and nobody of it is available yet: the leg waits.
    assert (consult.state, consult.to_tier, consult.skills, consult.position) == (
        "waiting",
        2,
        {"billing": 4},
        1,
    )
    with pytest.raises(HotlineStateError, match="consult open"):
        hotline.escalate(call.call_id, reason="blind as well")

    hotline = Hotline(factory, config(), clock=clock)  # restart: the leg waits again
    assert hotline.consult_view(consult.consult_id).position == 1
    hotline.set_agent_state(ids["second"], "available")
    assert hotline.consult_view(consult.consult_id).to_agent_id == ids["second"]

    hotline = Hotline(factory, config(), clock=clock)  # restart while offered
    clock.now += 5
    assert hotline.answer_consult(consult.consult_id).state == "talking"
    later = hotline.call_arrived("+4420000002", ivr_choice="1")
    assert later.state == "waiting"  # the first line holds the caller, the second is on the consult

    hotline = Hotline(factory, config(), clock=clock)  # restart while both agents talk
    assert hotline.agent_view(ids["first"]).status == hotline.agent_view(ids["second"]).status == "on_call"
    clock.now += 60
    done = hotline.complete_transfer(consult.consult_id)
    assert (done.state, done.agent_id, done.min_tier, done.skills) == (
        "talking",
        ids["second"],
        2,
        {"billing": 4},
    )
    # The first agent drops and takes the waiting caller; their talk time covers the consult.
    assert hotline.call_view(later.call_id).agent_id == ids["first"]
    assert hotline.agent_view(ids["first"]).talk_time_s == 95.0
    with pytest.raises(HotlineStateError, match="completed"):
        hotline.cancel_consult(consult.consult_id)

    hotline = Hotline(factory, config(), clock=clock)  # restart after the hand-over
    clock.now += 20
    hotline.end(call.call_id)
    assert hotline.agent_view(ids["second"]).calls_handled == 1
    decisions = hotline.decisions(call.call_id)
    assert [d.agent_id for d in decisions] == [ids["first"], ids["second"]]
    assert decisions[1].reason.startswith("consult (warm transfer)")
    [escalation] = hotline.escalations(call.call_id)
    assert (escalation.from_agent_id, escalation.from_tier, escalation.to_tier) == (ids["first"], 1, 2)
    assert escalation.reason.startswith("refund") and escalation.skills_before == {"billing": 2}
    with factory() as s:
        row = s.get(HotlineCall, call.call_id)
        stored = s.get(CallConsult, consult.consult_id)
        assert row is not None and stored is not None
        assert stored.state == "completed" and stored.escalation_id == escalation.id
        assert row.leg_answered_at == stored.answered_at and stored.answered_at is not None
        # Speed of answer keeps the first answer; the new agent's leg began when they took the consult.
        assert row.answered_at is not None and row.answered_at < stored.answered_at
        assert s.scalar(select(CallEscalation.call_id)) == call.call_id


def test_a_cancelled_consult_and_a_caller_hanging_up_on_hold_free_the_colleague(
    factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    ids = add_agents(factory, first={"billing": 3}, second={"billing": 5}, other={"sales": 2})
    set_tier(factory, ids["second"], 2)
    hotline = Hotline(factory, config(), clock=clock)
    hotline.set_agent_state(ids["first"], "available")
    call = hotline.call_arrived("+4420000003", ivr_choice="1")
    hotline.answer(call.call_id)
    with pytest.raises(EscalationError, match="tier 2"):  # nobody of tier 2 sells
        hotline.consult(call.call_id, reason="x", skills={"sales": 1})
    waiting = hotline.call_arrived("+4420000004", ivr_choice="1")
    with pytest.raises(HotlineStateError, match="talking"):
        hotline.consult(waiting.call_id, reason="x")
    hotline.abandon(waiting.call_id)
    hotline.set_agent_state(ids["second"], "available")
    first = hotline.consult(call.call_id, reason="a second opinion")
    assert first.to_agent_id == ids["second"]
    hotline.answer_consult(first.consult_id)
    assert hotline.cancel_consult(first.consult_id).state == "cancelled"
    assert hotline.agent_view(ids["second"]).status == "available"  # at once, no wrap-up
    assert hotline.call_view(call.call_id).agent_id == ids["first"]  # the caller stays
    # Consulting again; the colleague does not answer, is paused, and the leg waits for tier 2.
    again = hotline.consult(call.call_id, reason="now a transfer")
    assert hotline.reject_consult(again.consult_id).state == "waiting"
    assert hotline.agent_view(ids["second"]).status == "break"
    hotline = Hotline(factory, config(), clock=clock)  # restart: the missed colleague stays skipped
    hotline.set_agent_state(ids["second"], "available")
    assert hotline.consult_view(again.consult_id).state == "waiting"
    # The caller hangs up on hold: the call ends and its consult is cancelled.
    hotline.end(call.call_id)
    assert hotline.consult_view(again.consult_id).state == "cancelled"
    assert hotline.open_consults() == []
    with factory() as s:
        presence = s.get(AgentPresence, ids["second"])
        assert presence is not None and presence.status == "available"
        assert s.scalar(select(CallEscalation.id)) is None  # no hand-over happened


def test_a_tier_edited_while_a_consult_waits_is_routed_on_the_new_tier(
    factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    ids = add_agents(factory, first={"billing": 3}, second={"billing": 4}, third={"billing": 4})
    set_tier(factory, ids["second"], 2)
    hotline = Hotline(factory, config(), clock=clock)
    for agent in ("first", "third"):
        hotline.set_agent_state(ids[agent], "available")
    call = hotline.call_arrived("+4420000005", ivr_choice="1")
    hotline.answer(call.call_id)
    consult = hotline.consult(call.call_id, reason="needs the second line")
    assert consult.state == "waiting"  # third is free but first line; second is offline
    set_tier(factory, ids["third"], 2)  # an admin promotes third while the consult waits
    view = hotline.consult_view(consult.consult_id)
    assert (view.state, view.to_agent_id) == ("offered", ids["third"])
    with factory() as s:
        stored = s.get(CallConsult, consult.consult_id)
        assert stored is not None and (stored.state, stored.to_agent_id) == ("offered", ids["third"])
