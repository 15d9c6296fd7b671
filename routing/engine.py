"""The skills-based router (ACD core): pure, event-driven, deterministic, fast.

The owner of the clock (the hotline API, or the simulator) tells the router what happened — a call
arrived, an agent became free, a call ended, an offer was not answered — and the router answers with
the assignments it made. Each `Assignment` carries the candidates considered and the winner's reason.

Indexes keep decisions O(eligible agents) rather than O(all agents/calls): free agents by skill, and
waiting calls in one priority queue per (accepted languages, requirement) signature. Agents are ranked
by tier first (tier 1 before tier 2), then by the strategy.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable

from routing.model import Agent, AgentStatus, Assignment, Call, Candidate
from routing.reads import RouterReads, RoutingError, Signature
from routing.strategies import explain, get_ranker
from routing.transfers import RouterTransfers

__all__ = ["Router", "RoutingError", "Signature"]

_Entry = tuple[int, float, int, str]  # (-priority, arrived_at, seq, call id)


class Router(RouterReads, RouterTransfers):
    """Assigns waiting calls to free agents by skill, language, priority and a selection strategy (its
    read-only questions, e.g. a call's queue position or why nobody could take it: `RouterReads`; handing
    a call on to a higher tier, blind or warm: `RouterTransfers`)."""

    def __init__(self, strategy: str = "longest-idle", *, wrap_up_s: float = 0.0, seed: int = 0) -> None:
        self.strategy = strategy
        self.wrap_up_s = wrap_up_s
        self._rank = get_ranker(strategy, seed=seed)
        self.agents: dict[str, Agent] = {}
        self.waiting: dict[str, Call] = {}
        self._free_by_skill: dict[str, set[str]] = {}
        self._free: set[str] = set()
        self._all_by_skill: dict[str, set[str]] = {}  # every routed agent, whatever their state
        self._all_by_language: dict[str, set[str]] = {}
        self._queues: dict[Signature, list[_Entry]] = {}
        self._sigs_by_skill: dict[str, set[Signature]] = {}
        self._sigs_no_skill: set[Signature] = set()
        self._entry_seq: dict[str, int] = {}
        self._relax_due: list[tuple[float, int, str]] = []
        self._wrap_due: list[tuple[float, str]] = []
        self._seq = itertools.count(1)
        self.on_call: dict[str, str] = {}  # call id → agent id while offered/talking
        self._offered: dict[str, Call] = {}  # call id → the call while offered/talking
        self._changed: set[str] = set()  # agents whose state or counters changed since `drain_changed`

    # ----- agents -------------------------------------------------------------------------------
    def add_agent(self, agent: Agent, now: float = 0.0) -> list[Assignment]:
        """Registers (or replaces) an agent; a free agent is offered a waiting call at once, one in wrap-up
        becomes available at its `wrap_until` (via `tick`)."""
        if agent.id in self.agents:
            self._unfree(agent.id)
            self._unindex(self.agents[agent.id])
        self.agents[agent.id] = agent
        self._index(agent)
        if agent.status == AgentStatus.AVAILABLE:
            agent.idle_since = min(agent.idle_since, now) if agent.idle_since else now
        if agent.status == AgentStatus.WRAP_UP:
            heapq.heappush(self._wrap_due, (agent.wrap_until, agent.id))
        return self._refresh(agent, now)

    def update_agent(
        self,
        agent_id: str,
        *,
        skills: dict[str, int],
        languages: frozenset[str],
        tier: int,
        quality: dict[str, float],
        now: float,
    ) -> list[Assignment]:
        """New skills, languages, tier or QA quality for a routed agent (their state and calls are kept);
        a free agent may now take a waiting call it could not before."""
        agent = self._agent(agent_id)
        self._unfree(agent_id)
        self._unindex(agent)
        agent.skills, agent.languages, agent.tier, agent.quality = (
            dict(skills),
            languages,
            tier,
            dict(quality),
        )
        self._index(agent)
        return self._refresh(agent, now)

    def remove_agent(self, agent_id: str) -> None:
        """Forget an agent (deactivated). RoutingError while a call is still with them."""
        agent = self._agent(agent_id)
        if agent.active_calls:
            raise RoutingError(f"agent {agent_id} still has a call")
        self._unfree(agent_id)
        self._unindex(agent)
        del self.agents[agent_id]

    def drain_changed(self) -> set[str]:
        """The agents whose status, calls or counters changed since the last call (to be stored)."""
        changed, self._changed = self._changed, set()
        return {a for a in changed if a in self.agents}

    def set_status(self, agent_id: str, status: AgentStatus, now: float) -> list[Assignment]:
        """Break/offline/available by the agent or a supervisor; becoming available may bring a call."""
        agent = self._agent(agent_id)
        if status == AgentStatus.AVAILABLE and agent.status != AgentStatus.AVAILABLE:
            agent.idle_since = now
        agent.status = status
        return self._refresh(agent, now)

    def end_call(self, call_id: str, now: float, *, talk_s: float = 0.0) -> list[Assignment]:
        """The call's conversation ended: the agent wraps up (if configured) or takes the next call."""
        agent, _ = self._release(call_id, "is not with an agent")
        return self._done(agent, now, talk_s)

    def _done(self, agent: Agent, now: float, talk_s: float) -> list[Assignment]:
        """`agent` finished a call that took `talk_s`: wrap-up (if configured) or the next call."""
        self._changed.add(agent.id)
        agent.calls_handled += 1
        agent.talk_time_s += talk_s
        if self.wrap_up_s > 0 and agent.status == AgentStatus.ON_CALL:
            agent.status = AgentStatus.WRAP_UP
            agent.wrap_until = now + self.wrap_up_s
            heapq.heappush(self._wrap_due, (agent.wrap_until, agent.id))
            return []
        return self._free_again(agent, now)

    def no_answer(self, call_id: str, now: float, *, pause_agent: bool = True) -> list[Assignment]:
        """The offered agent did not answer (or rejected): the call goes back to its place in the queue,
        that agent is skipped for it, and the agent is paused (as autopause does) unless told otherwise."""
        agent, call = self._release(call_id, "has no pending offer")
        agent.status = AgentStatus.BREAK if pause_agent else AgentStatus.AVAILABLE
        call.excluded.add(agent.id)
        decision = self._place(call, now)
        return ([decision] if decision else []) + self._refresh(agent, now)

    def withdraw(self, call_id: str, now: float) -> list[Assignment]:
        """The caller hung up while their call was being offered: the agent is free again at once."""
        agent, _ = self._release(call_id, "has no pending offer")
        return self._free_again(agent, now)

    def restore_agent(self, agent: Agent, calls: Iterable[Call], now: float) -> list[Assignment]:
        """Registers an agent after a restart together with the calls already with them (offered or
        talking): an agent holding a call is on a call; a free one may be offered a waiting call at once."""
        self.agents[agent.id] = agent
        for call in calls:
            self.resume(call, agent.id)
        if agent.active_calls:
            agent.status = AgentStatus.ON_CALL
        return self.add_agent(agent, now)

    def resume(self, call: Call, agent_id: str) -> None:
        """Restores a call already with `agent_id` (after a restart): the agent stays busy with it."""
        agent = self._agent(agent_id)
        self.on_call[call.id] = agent_id
        self._offered[call.id] = call
        agent.active_calls += 1
        if agent.active_calls >= agent.capacity:
            agent.status = AgentStatus.ON_CALL
        if not agent.free:
            self._unfree(agent_id)

    # ----- calls ----------------------------------------------------------------------------------
    def arrive(self, call: Call, now: float) -> Assignment | None:
        """A caller joined; returns the assignment if an eligible agent is free, else queues the call."""
        if call.id in self.waiting or call.id in self.on_call:
            raise RoutingError(f"call {call.id} is already known")
        if call.steps:
            heapq.heappush(self._relax_due, (call.arrived_at + call.steps[0].after_s, 1, call.id))
        return self._place(call, now)

    def abandon(self, call_id: str) -> bool:
        """The caller hung up while waiting; False if the call was not waiting (already answered)."""
        call = self.waiting.pop(call_id, None)
        self._entry_seq.pop(call_id, None)
        return call is not None

    def request_callback(self, call_id: str) -> None:
        """The caller asked to be called back: they leave the line but keep their place in the queue."""
        call = self.waiting.get(call_id)
        if call is None:
            raise RoutingError(f"call {call_id} is not waiting")
        call.callback = True

    def tick(self, now: float) -> list[Assignment]:
        """Applies what time brings: wrap-ups that ended and relaxation steps that became due."""
        decisions: list[Assignment] = []
        while self._wrap_due and self._wrap_due[0][0] <= now:
            _, agent_id = heapq.heappop(self._wrap_due)
            agent = self.agents.get(agent_id)
            if agent is not None and agent.status == AgentStatus.WRAP_UP and agent.wrap_until <= now:
                agent.status = AgentStatus.AVAILABLE
                agent.idle_since = agent.wrap_until
                decisions += self._refresh(agent, now)
        while self._relax_due and self._relax_due[0][0] <= now:
            _, level, call_id = heapq.heappop(self._relax_due)
            call = self.waiting.get(call_id)
            if call is None or call.relax_level >= level or level > len(call.steps):
                continue  # answered or relaxed meanwhile, or escalated (no longer relaxed)
            call.relax_level = level
            if level < len(call.steps):
                due = call.arrived_at + call.steps[level].after_s
                heapq.heappush(self._relax_due, (due, level + 1, call_id))
            self.waiting.pop(call_id)
            decision = self._place(call, now)
            if decision:
                decisions.append(decision)
        return decisions

    def next_event_time(self) -> float | None:
        """When `tick` next has something to do (for an event loop), or None."""
        times = [t[0] for t in self._wrap_due[:1]] + [t[0] for t in self._relax_due[:1]]
        return min(times) if times else None

    def find_agent(self, agent_id: str) -> Agent | None:
        """The agent as the router sees it, or None when unknown (read-only use)."""
        return self.agents.get(agent_id)

    # ----- internals --------------------------------------------------------------------------------
    def _release(self, call_id: str, missing: str) -> tuple[Agent, Call]:
        """Take `call_id` off its agent (who then has one call less); RoutingError if it has none."""
        agent_id = self.on_call.pop(call_id, None)
        call = self._offered.pop(call_id, None)
        if agent_id is None or call is None:
            raise RoutingError(f"call {call_id} {missing}")
        agent = self.agents[agent_id]
        agent.active_calls = max(0, agent.active_calls - 1)
        self._changed.add(agent_id)
        return agent, call

    def _free_again(self, agent: Agent, now: float) -> list[Assignment]:
        """An agent whose call just left is available (idle from `now`) and may take the next one."""
        if agent.status == AgentStatus.ON_CALL:
            agent.status = AgentStatus.AVAILABLE
            agent.idle_since = now
        return self._refresh(agent, now)

    def _agent(self, agent_id: str) -> Agent:
        try:
            return self.agents[agent_id]
        except KeyError:
            raise RoutingError(f"unknown agent {agent_id}") from None

    def _index(self, agent: Agent) -> None:
        for skill in agent.skills:
            self._all_by_skill.setdefault(skill, set()).add(agent.id)
        for language in agent.languages:
            self._all_by_language.setdefault(language, set()).add(agent.id)

    def _unindex(self, agent: Agent) -> None:
        for skill in agent.skills:
            self._all_by_skill.get(skill, set()).discard(agent.id)
        for language in agent.languages:
            self._all_by_language.get(language, set()).discard(agent.id)

    def _place(self, call: Call, now: float) -> Assignment | None:
        """Offer `call` to the best free eligible agent, or put it in its queue."""
        need = call.requirement()
        pool = self._free if not need else min((self._free_by_skill.get(s, set()) for s in need), key=len)
        languages = call.accepted_languages()
        candidates = [
            self.agents[a]
            for a in pool
            if a not in call.excluded
            and self._eligible(self.agents[a], languages, need.items(), call.min_tier)
        ]
        if candidates:
            return self._assign(call, candidates, need, now)
        self._enqueue(call)
        return None

    def _enqueue(self, call: Call) -> None:
        sig = self._signature(call)
        seq = next(self._seq)
        self.waiting[call.id] = call
        self._entry_seq[call.id] = seq
        queue = self._queues.get(sig)
        if queue is None:
            queue = self._queues[sig] = []
            if sig[1]:
                for skill, _ in sig[1]:
                    self._sigs_by_skill.setdefault(skill, set()).add(sig)
            else:
                self._sigs_no_skill.add(sig)
        heapq.heappush(queue, (-call.priority, call.arrived_at, seq, call.id))

    def _assign(self, call: Call, candidates: list[Agent], need: dict[str, int], now: float) -> Assignment:
        ranked = sorted(((float(a.tier), *self._rank(a, call, need)), a.id) for a in candidates)
        winner_id = ranked[0][1]
        shown = [
            Candidate(a, k, explain(self.strategy, self.agents[a], call, need, now)) for k, a in ranked[:5]
        ]
        winner = self.agents[winner_id]
        winner.active_calls += 1
        winner.last_offered_seq = next(self._seq)
        self._changed.add(winner_id)
        if winner.active_calls >= winner.capacity:
            winner.status = AgentStatus.ON_CALL
            self._unfree(winner_id)
        self.waiting.pop(call.id, None)
        self._entry_seq.pop(call.id, None)
        self.on_call[call.id] = winner_id
        self._offered[call.id] = call
        runner_up = f"; next {shown[1].why}" if len(shown) > 1 else "; only candidate"
        relaxed = f" after relaxation step {call.relax_level}" if call.relax_level else ""
        name = self.strategy.replace("-", " ")
        return Assignment(
            call_id=call.id,
            agent_id=winner_id,
            at=now,
            wait_s=max(0.0, now - call.arrived_at),
            strategy=self.strategy,
            requirement=need,
            relax_level=call.relax_level,
            candidates=tuple(shown),
            reason=f"{name}: {shown[0].why}, best of {len(ranked)}{runner_up}{relaxed}",
        )

    def _refresh(self, agent: Agent, now: float) -> list[Assignment]:
        """Re-index `agent` after a state change; a free agent takes the best waiting call it can serve."""
        self._changed.add(agent.id)
        if not agent.free:
            self._unfree(agent.id)
            return []
        decision = self._take_waiting(agent, now)
        if agent.free:
            self._free.add(agent.id)
            for skill in agent.skills:
                self._free_by_skill.setdefault(skill, set()).add(agent.id)
        return [decision] if decision else []

    def _unfree(self, agent_id: str) -> None:
        if agent_id in self._free:
            self._free.discard(agent_id)
            for skill in self.agents[agent_id].skills:
                self._free_by_skill.get(skill, set()).discard(agent_id)

    def _take_waiting(self, agent: Agent, now: float) -> Assignment | None:
        sigs = set(self._sigs_no_skill)
        for skill in agent.skills:
            sigs |= self._sigs_by_skill.get(skill, set())
        best: tuple[_Entry, Signature] | None = None
        for sig in sigs:
            queue = self._queues[sig]
            # The raw top bounds the live head from below: a queue that cannot beat the best is skipped.
            if not queue or (best is not None and queue[0] >= best[0]):
                continue
            languages, need, min_tier = sig
            if not self._eligible(agent, languages, need, min_tier):
                continue
            head = self._head(queue, agent.id)
            if head is not None and (best is None or head < best[0]):
                best = (head, sig)
        if best is None:
            return None
        call = self.waiting[best[0][3]]
        return self._assign(call, [agent], call.requirement(), now)

    def _head(self, queue: list[_Entry], agent_id: str) -> _Entry | None:
        """The first live call in a signature queue that `agent_id` may take (stale entries dropped)."""
        while queue and not self._live(queue[0]):
            heapq.heappop(queue)
        if not queue:
            return None
        if agent_id not in self.waiting[queue[0][3]].excluded:
            return queue[0]
        # Rare: this agent already missed the head call; look further down in order.
        return next(
            (e for e in sorted(queue) if self._live(e) and agent_id not in self.waiting[e[3]].excluded),
            None,
        )

    def _live(self, entry: _Entry) -> bool:
        # A call re-queued (relaxed, re-offered) gets a new seq; older entries for it are stale.
        return self._entry_seq.get(entry[3]) == entry[2]
