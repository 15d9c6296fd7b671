"""Handing a live call on to a higher tier, in the router (pure, no I/O): a blind escalation (the agent lets
go at once and the call waits again) and a warm transfer (the agent consults a colleague of that tier while
the caller holds, then completes the transfer or cancels it). `routing.engine.Router` inherits these; they
are stored by `routing.escalations` and `routing.consults`.

A consult is a leg of its own: a `Call` whose `consult_of` names the held call, placed like a call (offered
to the best free agent of its tier and skills, or queued with the held call's arrival time and priority, so
it goes ahead of later callers), re-offered when not answered (`Router.no_answer`). The consulting agent
keeps the held call throughout.
"""

from __future__ import annotations

from typing import Protocol

from routing.model import Agent, Assignment, Call
from routing.reads import RoutingError


class _RouterCore(Protocol):
    """What the transfers use of `routing.engine.Router`."""

    agents: dict[str, Agent]
    waiting: dict[str, Call]
    on_call: dict[str, str]
    _offered: dict[str, Call]

    def abandon(self, call_id: str) -> bool: ...
    def _release(self, call_id: str, missing: str) -> tuple[Agent, Call]: ...
    def _place(self, call: Call, now: float) -> Assignment | None: ...
    def _done(self, agent: Agent, now: float, talk_s: float) -> list[Assignment]: ...
    def _free_again(self, agent: Agent, now: float) -> list[Assignment]: ...


class RouterTransfers:
    """Escalation and warm transfer (see the module docstring)."""

    def escalate(
        self: _RouterCore,
        call_id: str,
        now: float,
        *,
        min_tier: int,
        skills: dict[str, int] | None = None,
        talk_s: float = 0.0,
    ) -> list[Assignment]:
        """The agent on `call_id` hands it on to agents of `min_tier` or higher (needing `skills` instead,
        when given): for that agent it ended (counters, wrap-up); the call keeps its arrival time, priority
        and the agents who missed it, so it goes ahead of calls that arrived after it, and it is no longer
        relaxed (it waits for the tier it was sent to). RoutingError unless the call is with an agent of a
        tier below `min_tier`."""
        _holder(self, call_id, min_tier)
        agent, call = self._release(call_id, "is not with an agent")
        call.min_tier, call.steps, call.relax_level = min_tier, (), 0
        if skills is not None:
            call.skills = dict(skills)
        decision = self._place(call, now)
        return ([decision] if decision else []) + self._done(agent, now, talk_s)

    def consult(self: _RouterCore, leg: Call, now: float) -> Assignment | None:
        """The agent on `leg.consult_of` asks for a colleague of `leg.min_tier` or higher with `leg.skills`
        while the caller holds: the leg is offered to the best free such agent (returned), or queued. The
        agent keeps the held call. RoutingError unless the held call is with an agent below that tier and
        has no other consult open."""
        if leg.consult_of is None:
            raise RoutingError(f"consult {leg.id} names no held call")
        _holder(self, leg.consult_of, leg.min_tier)
        legs = (*self._offered.values(), *self.waiting.values())
        if leg.id in self.on_call or any(c.consult_of == leg.consult_of for c in legs):
            raise RoutingError(f"call {leg.consult_of} already has a consult open")
        leg.steps, leg.relax_level = (), 0
        return self._place(leg, now)

    def complete_transfer(self: _RouterCore, leg_id: str, now: float, *, talk_s: float) -> list[Assignment]:
        """The consulted agent takes the held call over (with the leg's tier and skills: it is not relaxed
        back); the consulting agent is done with it (`talk_s` of talk, wrap-up or the next call). Returns
        that agent's next assignments. RoutingError unless the leg is with an agent."""
        to_agent = self.on_call.get(leg_id)
        leg = self._offered.get(leg_id)
        if to_agent is None or leg is None or leg.consult_of is None:
            raise RoutingError(f"consult {leg_id} is not with an agent")
        agent, call = self._release(leg.consult_of, "is not with an agent")
        del self.on_call[leg_id], self._offered[leg_id]
        call.min_tier, call.skills, call.steps, call.relax_level = leg.min_tier, dict(leg.skills), (), 0
        self.on_call[call.id], self._offered[call.id] = to_agent, call
        return self._done(agent, now, talk_s)

    def cancel_consult(self: _RouterCore, leg_id: str, now: float) -> list[Assignment]:
        """The consult ended without a transfer (the consulting agent kept the caller, or the caller hung
        up): a waiting leg leaves the queue; the agent it was with is free again at once (a consult is no
        handled call: no counters, no wrap-up). RoutingError when the leg is unknown."""
        if self.abandon(leg_id):
            return []
        agent, _ = self._release(leg_id, "is neither waiting nor with an agent")
        return self._free_again(agent, now)


def _holder(router: _RouterCore, call_id: str, min_tier: int) -> Agent:
    """The agent holding `call_id`; RoutingError unless there is one, below `min_tier`."""
    agent = router.agents.get(router.on_call.get(call_id, ""))
    if agent is None:
        raise RoutingError(f"call {call_id} is not with an agent")
    if min_tier <= agent.tier:
        raise RoutingError(f"call {call_id} is with tier {agent.tier}: hand it to a higher tier")
    return agent
