"""The hotline's invariants under random event sequences (a hypothesis state machine on a real SQLite file).

Rules: calls arrive (IVR choice, language, priority), offers are answered or rejected, talking calls are
escalated to the second line or consulted with it (warm transfer: the consult answered, missed, completed or
cancelled), callers hang up at any moment (also on hold), agents change state, admins edit skills and
languages in their own transactions, new QA scores arrive, the server restarts, time passes. After every
step:
- no agent has two offers or active calls (database and router);
- a call that reached a terminal state (ended, abandoned) never leaves it, and every call ends in exactly
  one (checked at teardown, after hanging up whatever is still open);
- no call is offered after its caller hung up, nor to an agent below the tier it was escalated to;
- the router and the database agree: waiting calls and consult legs, calls and consult legs with agents,
  each agent's state, skills and languages; no wrap-up outlasts its deadline, and no call waits while a
  free agent could take it.
The bounded run is part of the test suite; `bench/hotline_invariants.py` runs it longer and prints counts.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineRefusedError, HotlineStateError
from models import (
    Agent,
    AgentPresence,
    CallConsult,
    HotlineCall,
    RoutingDecision,
    make_engine,
    make_session_factory,
)
from models.migrate import upgrade_database
from routing.config import load_routing_config
from routing.consults import leg_id
from routing.escalations import EscalationError
from routing.model import AgentStatus
from routing.service import set_skills
from tests.conftest import create_scored_call

SKILLS = ("billing", "technical", "sales")
LANGUAGES = ("en", "zh")
AGENTS = 4
OPEN = ("waiting", "offered", "talking")
TERMINAL = ("ended", "abandoned")


class Counts:
    """Examples and steps run (the bench prints them)."""

    examples = 0
    steps = 0
    escalated = 0
    consulted = 0
    transferred = 0


@cache
def _template() -> Path:
    """One migrated SQLite file per process; each example starts from a copy."""
    path = Path(tempfile.mkdtemp(prefix="hotline-machine-")) / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class HotlineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        Counts.examples += 1
        self.dir = Path(tempfile.mkdtemp(prefix="hotline-example-"))
        shutil.copyfile(_template(), self.dir / "db.sqlite")
        self.engine = make_engine(f"sqlite:///{self.dir / 'db.sqlite'}")
        self.factory = make_session_factory(self.engine)
        # Long wrap-ups so that restarts often find an agent in one; the second line's skill queues within
        # reach of the second-line agents below (the packaged ones ask for more than they have).
        second_line = {"billing": {"billing": 3}, "technical": {"technical": 3}}
        self.config = replace(load_routing_config(None), wrap_up_s=40.0, tier_skills={2: second_line})
        self.clock = Clock()
        with self.factory() as s:
            agents = [
                Agent(name=f"agent{i}", languages=["en"] if i % 2 else ["en", "zh"], tier=1 + i // 2)
                for i in range(AGENTS)
            ]
            s.add_all(agents)
            s.flush()
            for i, agent in enumerate(agents):
                set_skills(s, agent, {SKILLS[i % 3]: 3, SKILLS[(i + 1) % 3]: 1 + i % 5})
            s.commit()
            self.agent_ids = [a.id for a in agents]
        self.hotline = Hotline(self.factory, self.config, clock=self.clock)
        for agent_id in self.agent_ids:  # the shift starts
            self.hotline.set_agent_state(agent_id, "available")
        self.terminal: dict[int, str] = {}  # call id → the terminal state it reached
        self.hung_up_at: dict[int, float] = {}
        self.escalated = 0
        self.consulted = 0
        self.transferred = 0

    # ----- helpers -----------------------------------------------------------------------------------
    def _calls(self, *states: str) -> list[int]:
        with self.factory() as s:
            return list(
                s.scalars(
                    select(HotlineCall.id).where(HotlineCall.state.in_(states)).order_by(HotlineCall.id)
                )
            )

    def _open_consults(self) -> list[CallConsult]:
        with self.factory() as s:
            query = select(CallConsult).where(CallConsult.state.in_(OPEN)).order_by(CallConsult.id)
            return list(s.scalars(query))

    def _step(self) -> None:
        Counts.steps += 1
        self.clock.now += 1.0

    # ----- rules -------------------------------------------------------------------------------------
    @rule(
        choice=st.sampled_from(sorted(load_routing_config(None).ivr)),
        language=st.sampled_from(LANGUAGES),
        priority=st.sampled_from((0, 0, 5)),
    )
    def arrive(self, choice: str, language: str, priority: int) -> None:
        self._step()
        with contextlib.suppress(HotlineRefusedError):
            self.hotline.call_arrived("+1", ivr_choice=choice, language=language, priority=priority)

    @rule(pick=st.integers(0, 50))
    def answer(self, pick: int) -> None:
        self._step()
        offered = self._calls("offered")
        if offered:
            self.hotline.answer(offered[pick % len(offered)])

    @rule(pick=st.integers(0, 50), pause=st.booleans())
    def reject(self, pick: int, pause: bool) -> None:
        self._step()
        offered = self._calls("offered")
        if offered:
            self.hotline.reject(offered[pick % len(offered)], pause_agent=pause)

    @rule(pick=st.integers(0, 50))
    def escalate(self, pick: int) -> None:
        self._step()
        on_hold = {c.call_id for c in self._open_consults()}  # complete or cancel the consult first
        with_agent = [c for c in self._calls("offered", "talking") if c not in on_hold]
        if with_agent:
            call_id = with_agent[pick % len(with_agent)]
            if self.hotline.call_view(call_id).state == "offered":  # picked up, then handed on
                self.hotline.answer(call_id)
            # Refused when the agent is already second line, or nobody there has the skills/language.
            with contextlib.suppress(EscalationError):
                view = self.hotline.escalate(call_id, reason="needs the second line")
                assert view.min_tier == 2 and view.state in ("waiting", "offered")
                self.escalated += 1

    @rule(pick=st.integers(0, 50))
    def consult(self, pick: int) -> None:
        self._step()
        on_hold = {c.call_id for c in self._open_consults()}
        with_agent = [c for c in self._calls("offered", "talking") if c not in on_hold]
        if with_agent:
            call_id = with_agent[pick % len(with_agent)]
            if self.hotline.call_view(call_id).state == "offered":  # picked up, then a consult
                self.hotline.answer(call_id)
            # Refused when the agent is already second line, or nobody there has the skills/language.
            with contextlib.suppress(EscalationError):
                view = self.hotline.consult(call_id, reason="a word with the second line")
                assert view.to_tier == 2 and view.state in ("waiting", "offered")
                self.consulted += 1

    @rule(pick=st.integers(0, 50), finish=st.sampled_from((True, True, True, False)))
    def consult_goes_on(self, pick: int, finish: bool) -> None:
        """The consulted colleague answers or misses it; the first agent completes or cancels it."""
        self._step()
        consults = self._open_consults()
        if not consults:
            return
        consult = consults[pick % len(consults)]
        if consult.state == "offered":
            if finish:
                self.hotline.answer_consult(consult.id)
            else:
                self.hotline.reject_consult(consult.id)
        elif consult.state == "talking" and finish:
            view = self.hotline.complete_transfer(consult.id)
            assert view.state == "talking" and view.agent_id == consult.to_agent_id
            self.transferred += 1
        elif not finish:  # a waiting consult otherwise waits on
            assert self.hotline.cancel_consult(consult.id).state == "cancelled"

    @rule(pick=st.integers(0, 50))
    def hang_up(self, pick: int) -> None:
        self._step()
        open_calls = self._calls(*OPEN)
        if open_calls:
            self._hang_up(open_calls[pick % len(open_calls)])

    def _hang_up(self, call_id: int) -> None:
        state = self.hotline.call_view(call_id).state
        view = self.hotline.end(call_id) if state == "talking" else self.hotline.abandon(call_id)
        self.hung_up_at[call_id] = self.clock.now
        assert view.state in TERMINAL

    @rule(
        agent=st.integers(0, AGENTS - 1),
        status=st.sampled_from(("available", "available", "break", "offline")),
    )
    def agent_state(self, agent: int, status: str) -> None:
        self._step()
        with contextlib.suppress(HotlineStateError):  # on a call: only "available" is accepted
            self.hotline.set_agent_state(self.agent_ids[agent], status)

    @rule(
        agent=st.integers(0, AGENTS - 1), skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5))
    )
    def edit_skills(self, agent: int, skills: dict[str, int]) -> None:
        self._step()
        with self.factory() as s:  # an admin's request: its own transaction, not the hotline's
            row = s.get(Agent, self.agent_ids[agent])
            assert row is not None
            set_skills(s, row, skills)
            s.commit()

    @rule(agent=st.integers(0, AGENTS - 1), languages=st.sets(st.sampled_from(LANGUAGES), min_size=1))
    def edit_languages(self, agent: int, languages: set[str]) -> None:
        self._step()
        with self.factory() as s:
            row = s.get(Agent, self.agent_ids[agent])
            assert row is not None
            row.languages = sorted(languages)
            s.commit()

    @rule(agent=st.integers(0, AGENTS - 1), good=st.booleans())
    def new_qa_score(self, agent: int, good: bool) -> None:
        self._step()
        with self.factory() as s:  # the worker's transaction
            create_scored_call(s, self.agent_ids[agent], {"greeting": good, "closing": good})
            s.commit()

    @rule()
    def restart(self) -> None:
        self._step()
        self.hotline = Hotline(self.factory, self.config, clock=self.clock)

    @rule(seconds=st.sampled_from((1.0, 5.0, 11.0, 61.0, 250.0)))
    def time_passes(self, seconds: float) -> None:
        self._step()
        self.clock.now += seconds
        self.hotline.tick()

    # ----- invariants --------------------------------------------------------------------------------
    @invariant()
    def router_and_database_agree(self) -> None:
        self.hotline.tick()  # the server ticks every second; like any event it first catches up with edits
        router = self.hotline.router
        with self.factory() as s:
            calls = s.scalars(select(HotlineCall)).all()
            active = [c for c in calls if c.state in ("offered", "talking")]
            agents_busy = [c.agent_id for c in active]
            assert len(agents_busy) == len(set(agents_busy)), "an agent has two active calls"
            legs = s.scalars(select(CallConsult).where(CallConsult.state.in_(OPEN))).all()
            with_colleague = [c for c in legs if c.state != "waiting"]
            agents_busy += [c.to_agent_id for c in with_colleague]
            assert len(agents_busy) == len(set(agents_busy)), "an agent has a call and a consult"
            assert router.on_call == {str(c.id): str(c.agent_id) for c in active} | {
                leg_id(c.id): str(c.to_agent_id) for c in with_colleague
            }
            for c in active:
                holder = router.find_agent(str(c.agent_id))
                assert holder is not None and holder.tier >= c.min_tier, f"call {c.id} below its tier"
            for leg in with_colleague:
                colleague = router.find_agent(str(leg.to_agent_id))
                assert colleague is not None and colleague.tier >= leg.to_tier, (
                    f"consult {leg.id} below its tier"
                )
                assert {c.id: c.state for c in calls}[leg.call_id] == "talking", (
                    f"consult {leg.id} without a call"
                )
            assert set(router.waiting) == {str(c.id) for c in calls if c.state == "waiting"} | {
                leg_id(c.id) for c in legs if c.state == "waiting"
            }
            for call in calls:
                if call.id in self.terminal:
                    assert call.state == self.terminal[call.id], (
                        f"call {call.id} left {self.terminal[call.id]}"
                    )
                elif call.state in TERMINAL:
                    self.terminal[call.id] = call.state
            hung_up = {c.id: c.ended_at for c in calls if c.state == "abandoned"}
            for d in s.scalars(select(RoutingDecision).where(RoutingDecision.call_id.in_(hung_up))):
                ended = hung_up[d.call_id]
                assert ended is not None and d.at <= ended, (
                    f"call {d.call_id} offered after the caller hung up"
                )
            presence = {p.agent_id: p for p in s.scalars(select(AgentPresence))}
            rows = s.scalars(select(Agent).options(selectinload(Agent.skills))).all()
            for row in rows:
                routed = router.find_agent(str(row.id))
                assert routed is not None
                assert routed.skills == {k.skill.name: k.proficiency for k in row.skills}
                assert routed.languages == frozenset(row.languages)
                assert routed.active_calls == agents_busy.count(row.id) <= routed.capacity
                assert presence[row.id].status == routed.status.value, f"agent {row.id} presence differs"
                assert routed.status != AgentStatus.WRAP_UP or routed.wrap_until > self.clock.now, (
                    f"agent {row.id} still in wrap-up after its deadline"
                )
        for queued in router.waiting.values():
            need = queued.requirement().items()
            for agent in router.agents.values():
                if agent.free and agent.id not in queued.excluded:
                    assert not router._eligible(agent, queued.accepted_languages(), need, queued.min_tier), (
                        f"call {queued.id} waits while agent {agent.id} is free and could take it"
                    )

    def teardown(self) -> None:
        Counts.escalated += self.escalated
        Counts.consulted += self.consulted
        Counts.transferred += self.transferred
        try:
            for call_id in self._calls(*OPEN):
                self._hang_up(call_id)
            with self.factory() as s:
                states = s.scalars(select(HotlineCall.state)).all()
            assert all(state in TERMINAL for state in states), "a call ended in no terminal state"
        finally:
            self.engine.dispose()
            shutil.rmtree(self.dir, ignore_errors=True)


HotlineMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestHotlineInvariants = HotlineMachine.TestCase
