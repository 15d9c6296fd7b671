"""The hotline and callbacks on a real database: a caller's callback request is recorded with its due
time; ready callbacks are offered to free agents like calls, never ahead of a caller on the line."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from callqa.services.callbacks import offer_ready_callbacks
from callqa.services.hotline import Hotline
from models import Callback, HotlineCall
from routing.callbacks import list_callbacks, record_attempt, request_callback
from routing.config import load_routing_config
from routing.service import utc
from tests.callqa.services.test_hotline import Clock, add_agents, factory

__all__ = ["factory"]  # the fixture, imported for pytest

HOUR_S = 3600.0


def _callback(factory: sessionmaker[Session], number: str, *, due_in: timedelta, now: float) -> int:
    with factory() as s:
        row = request_callback(s, number=number, now=utc(now), due_in=due_in)
        s.commit()
        return row.id


def test_a_callers_request_is_recorded_with_its_due_time(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, fay={"technical": 4})
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    hotline.set_agent_state(ids["fay"], "available")
    hotline.answer(hotline.call_arrived("+1", ivr_choice="2").call_id)
    waiting = hotline.call_arrived("+2", ivr_choice="2")
    hotline.request_callback(waiting.call_id, "+44 7700 900001", due_in_s=3 * 86400)
    assert hotline.call_view(waiting.call_id).position == 1  # keeps its place, as before
    with factory() as s:
        [row] = list_callbacks(s, now=utc(clock.now))
    assert row.number == "+44 7700 900001" and row.hotline_call_id == waiting.call_id
    assert row.due_at == utc(clock.now + 3 * 86400).isoformat()
    assert row.skills == load_routing_config(None).ivr["2"]  # the call's skills travel with it


def test_ready_callbacks_go_to_free_agents_never_ahead_of_callers(factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = add_agents(factory, fay={"billing": 3}, gus={"billing": 3})
    hotline = Hotline(factory, load_routing_config(None), clock=clock)
    overdue = _callback(factory, "+1 555 0200", due_in=timedelta(hours=-1), now=clock.now)
    later = _callback(factory, "+1 555 0201", due_in=timedelta(days=3), now=clock.now)
    retry = HOUR_S
    assert (
        offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 0
    )  # nobody free

    hotline.set_agent_state(ids["fay"], "available")
    assert offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 1
    with factory() as s:
        views = {v.id: v for v in list_callbacks(s, now=utc(clock.now))}
        call = s.get(HotlineCall, views[overdue].offer_call_id)
        assert call is not None
        # The most overdue first, as a call marked callback, with priority over later callers.
        assert (call.state, call.agent_id, call.callback, call.callback_number) == (
            "offered",
            ids["fay"],
            True,
            "+1 555 0200",
        )
        assert call.priority == 1
        assert views[overdue].offered_to == ids["fay"] and views[overdue].overdue
        assert views[later].offer_call_id is None and views[overdue].hotline_call_id is None
    # Offered once: not again while its hotline call is live.
    assert offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 0

    # A caller waits (gus is the only free agent and the caller takes him): no callback is offered.
    hotline.set_agent_state(ids["gus"], "break")
    caller = hotline.call_arrived("+1 555 0300", ivr_choice="1")
    assert caller.state == "waiting"
    hotline.set_agent_state(ids["gus"], "available")
    assert hotline.call_view(caller.call_id).agent_id == ids["gus"]
    assert offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 0

    # Fay's try is unanswered: the callback is offered again once the retry time has passed.
    first = hotline.call_view(views[overdue].offer_call_id or 0)
    hotline.answer(first.call_id)
    clock.now += 60
    hotline.end(first.call_id)
    with factory() as s:
        record_attempt(s, overdue, outcome="no_answer", agent_id=None, now=utc(clock.now), max_attempts=3)
        tried = s.get(Callback, overdue)
        assert tried is not None
        tried.agent_id = None  # back to anyone
        s.commit()
    clock.now += 30  # fay's wrap-up ends
    hotline.tick()
    offered_now = offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now))
    with factory() as s:
        again = {v.id: v for v in list_callbacks(s, now=utc(clock.now))}
    assert offered_now == 1 and again[later].offered_to == ids["fay"]  # the other one, not the one just tried
    assert again[overdue].offered_to is None

    # An offer ended without a recorded outcome waits the retry time as well, then comes round again.
    second = hotline.call_view(again[later].offer_call_id or 0)
    hotline.answer(second.call_id)
    clock.now += 30
    hotline.end(second.call_id)
    clock.now += 30
    hotline.tick()
    assert offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 0
    clock.now += HOUR_S
    hotline.tick()
    assert offer_ready_callbacks(hotline, factory, retry_after_s=retry, now=utc(clock.now)) == 1
    with factory() as s:
        third = {v.id: v for v in list_callbacks(s, now=utc(clock.now))}
        row = s.get(Callback, overdue)
        assert row is not None
        offers = [o.hotline_call_id for o in row.offers]
    assert third[overdue].offered_to == ids["fay"] and third[overdue].offer_call_id == offers[-1]
    assert offers[0] == first.call_id and len(offers) == 2
