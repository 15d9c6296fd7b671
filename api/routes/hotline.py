"""The hotline API a PBX/IVR drives: calls arrive, are offered, answered, ended or abandoned; agents change
state; queue statistics are read or streamed (server-sent events).

Callers: the PBX, authenticated by the `X-Hotline-Key` shared secret (settings `CALLQA_HOTLINE_KEY`),
or an `admin` user's bearer token. An `agent` user may read and set only their own state. Hotline errors
(unknown call, event that does not fit the call's state) are mapped in `api/errors.py`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import asdict

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse

from api.deps import HotlineClient, HotlineDep, IdPath, SettingsDep, check_agent_scope
from api.errors import ERROR_RESPONSES
from api.schemas_routing import AgentStateChange, CallArrival, CallbackRequest, EscalationRequest
from models import User
from routing.consults import ConsultView
from routing.escalations import EscalationView
from routing.service import AgentView, CallView, DecisionView, QueueStats

router = APIRouter(prefix="/api/hotline", tags=["hotline"], responses=ERROR_RESPONSES)


def _pbx_or_admin(client: User | None) -> None:
    if client is not None and client.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role admin")


def _pbx_or_staff(client: User | None) -> None:
    if client is not None and client.role not in ("admin", "qa"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role qa/admin")


def _own_or_pbx(client: User | None, agent_id: int) -> None:
    if client is not None and client.role != "admin":
        check_agent_scope(client, agent_id)
        if client.role != "agent":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")


@router.post("/calls", status_code=status.HTTP_201_CREATED, response_model=CallView)
def call_arrived(body: CallArrival, hotline: HotlineDep, client: HotlineClient) -> CallView:
    """A call reached the hotline. Returns the agent it was offered to, or its queue position, the
    estimated wait (s) and the announcement text for the IVR."""
    _pbx_or_admin(client)
    return hotline.call_arrived(
        body.caller_number,
        ivr_choice=body.ivr_choice,
        skills=body.skills,
        language=body.language,
        priority=body.priority,
        pbx_call_id=body.pbx_call_id,
    )


@router.get("/calls", response_model=list[CallView])
def find_calls(hotline: HotlineDep, client: HotlineClient, pbx_call_id: str | None = None) -> list[CallView]:
    """The call the PBX knows as `pbx_call_id` (an empty list if none), or without it every open call
    (waiting, offered, talking), oldest first; a PBX adapter reconciles its live channels with these."""
    _pbx_or_admin(client)
    return hotline.find_calls(pbx_call_id=pbx_call_id)


@router.get("/calls/{call_id}", response_model=CallView)
def get_call(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> CallView:
    _pbx_or_admin(client)
    return hotline.call_view(call_id)


@router.get("/calls/{call_id}/decisions", response_model=list[DecisionView])
def call_decisions(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> list[DecisionView]:
    """Why the call went where it went: each assignment with the candidates considered."""
    _pbx_or_admin(client)
    hotline.call_view(call_id)  # unknown call → HotlineNotFoundError → 404
    return hotline.decisions(call_id)


@router.post("/calls/{call_id}/answer", response_model=CallView)
def answer(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> CallView:
    _pbx_or_admin(client)
    return hotline.answer(call_id)


@router.post("/calls/{call_id}/reject", response_model=CallView)
def reject(call_id: IdPath, hotline: HotlineDep, client: HotlineClient, pause_agent: bool = True) -> CallView:
    """The agent rejected or did not answer: re-offered elsewhere, caller keeps their place."""
    _pbx_or_admin(client)
    return hotline.reject(call_id, pause_agent=pause_agent)


@router.post("/calls/{call_id}/end", response_model=CallView)
def end(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> CallView:
    _pbx_or_admin(client)
    return hotline.end(call_id)


@router.post("/calls/{call_id}/abandon", response_model=CallView)
def abandon(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> CallView:
    _pbx_or_admin(client)
    return hotline.abandon(call_id)


def _holder_or_pbx(client: User | None, agent_ids: tuple[int | None, ...], what: str) -> None:
    """One of the agents `agent_ids` (on the call, or who asked for the consult), the PBX or an admin; 404
    for anyone else (the call is not theirs to see)."""
    if client is None or client.role == "admin":
        return
    if client.role != "agent" or client.agent_id is None or client.agent_id not in agent_ids:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


@router.post("/calls/{call_id}/escalate", response_model=CallView)
def escalate(
    call_id: IdPath, body: EscalationRequest, hotline: HotlineDep, client: HotlineClient
) -> CallView:
    """The agent on the call (or the PBX, or an admin) hands it on to a higher tier at once (blind): the
    same call waits for an agent of that tier, ahead of later callers. 409 unless it is talking (with no
    consult open); 422 for a tier that is not configured or not above the agent's, or that no agent of it
    could take."""
    if client is not None:
        _holder_or_pbx(client, (hotline.call_view(call_id).agent_id,), "hotline call")
    return hotline.escalate(call_id, reason=body.reason, to_tier=body.to_tier, skills=body.skills)


@router.post("/calls/{call_id}/consult", status_code=status.HTTP_201_CREATED, response_model=ConsultView)
def consult(
    call_id: IdPath, body: EscalationRequest, hotline: HotlineDep, client: HotlineClient
) -> ConsultView:
    """Warm transfer, first step: the agent on the call (or the PBX, an admin) puts the caller on hold and
    consults a colleague of a higher tier (chosen as for escalate); the consult leg is offered to one, or
    waits ahead of later callers. Then answer it (`/consults/{id}/answer`), and complete or cancel the
    transfer. 409 unless the call is talking with no consult open; 422 as escalate."""
    if client is not None:
        _holder_or_pbx(client, (hotline.call_view(call_id).agent_id,), "hotline call")
    return hotline.consult(call_id, reason=body.reason, to_tier=body.to_tier, skills=body.skills)


@router.get("/consults", response_model=list[ConsultView])
def open_consults(hotline: HotlineDep, client: HotlineClient) -> list[ConsultView]:
    """Open consults (waiting, offered, talking), oldest first; an agent sees those they asked for or
    are offered."""
    if client is not None and client.role == "agent" and client.agent_id is not None:
        return hotline.open_consults(agent_id=client.agent_id)
    _pbx_or_admin(client)
    return hotline.open_consults()


@router.get("/consults/{consult_id}", response_model=ConsultView)
def get_consult(consult_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> ConsultView:
    """A consult, for the PBX, an admin, or the agents who asked for it or are offered it."""
    view = hotline.consult_view(consult_id)
    _holder_or_pbx(client, (view.from_agent_id, view.to_agent_id), "consult")
    return view


@router.post("/consults/{consult_id}/answer", response_model=ConsultView)
def answer_consult(consult_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> ConsultView:
    """The colleague picked up the consult: both agents talk while the caller holds."""
    _pbx_or_admin(client)
    return hotline.answer_consult(consult_id)


@router.post("/consults/{consult_id}/reject", response_model=ConsultView)
def reject_consult(
    consult_id: IdPath, hotline: HotlineDep, client: HotlineClient, pause_agent: bool = True
) -> ConsultView:
    """The colleague did not answer: the consult goes to someone else of that tier, or waits."""
    _pbx_or_admin(client)
    return hotline.reject_consult(consult_id, pause_agent=pause_agent)


@router.post("/consults/{consult_id}/complete", response_model=CallView)
def complete_transfer(consult_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> CallView:
    """The agent who asked (or the PBX, an admin) completes the transfer: the colleague takes the call over
    and the agent drops; one call record, the hand-over logged among its escalations. 409 unless the
    consult is talking."""
    if client is not None:
        _holder_or_pbx(client, (hotline.consult_view(consult_id).from_agent_id,), "consult")
    return hotline.complete_transfer(consult_id)


@router.post("/consults/{consult_id}/cancel", response_model=ConsultView)
def cancel_consult(consult_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> ConsultView:
    """The agent who asked takes the caller back without a transfer; the colleague is free again."""
    if client is not None:
        _holder_or_pbx(client, (hotline.consult_view(consult_id).from_agent_id,), "consult")
    return hotline.cancel_consult(consult_id)


@router.get("/calls/{call_id}/escalations", response_model=list[EscalationView])
def call_escalations(call_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> list[EscalationView]:
    """The call's escalations, oldest first: by whom, from and to which tier, why."""
    _pbx_or_staff(client)
    hotline.call_view(call_id)  # unknown call → HotlineNotFoundError → 404
    return hotline.escalations(call_id)


@router.post("/calls/{call_id}/callback", response_model=CallView)
def callback(
    call_id: IdPath, body: CallbackRequest, hotline: HotlineDep, client: HotlineClient, settings: SettingsDep
) -> CallView:
    """The caller leaves the line, keeping their place; recorded as a callback due at `due_at` or within
    CALLQA_CALLBACK_DUE_DAYS (listed at /api/callbacks)."""
    _pbx_or_admin(client)
    due_in_s = settings.callback_due_days * 86400.0
    return hotline.request_callback(call_id, body.number, due_in_s=due_in_s, due_at=body.due_at)


@router.get("/agents/{agent_id}", response_model=AgentView)
def agent_state(agent_id: IdPath, hotline: HotlineDep, client: HotlineClient) -> AgentView:
    _own_or_pbx(client, agent_id)
    return hotline.agent_view(agent_id)


@router.put("/agents/{agent_id}/state", response_model=AgentView)
def set_agent_state(
    agent_id: IdPath, body: AgentStateChange, hotline: HotlineDep, client: HotlineClient
) -> AgentView:
    _own_or_pbx(client, agent_id)
    return hotline.set_agent_state(agent_id, body.status)


@router.get("/stats", response_model=QueueStats)
def stats(hotline: HotlineDep, client: HotlineClient) -> QueueStats:
    """Waiting calls, longest wait, service level (24 h), agents by state."""
    _pbx_or_staff(client)
    return hotline.stats()


@router.get("/stats/stream", response_class=StreamingResponse)
async def stats_stream(
    hotline: HotlineDep, client: HotlineClient, interval_s: float = 1.0, max_events: int | None = None
) -> StreamingResponse:
    """The same figures as server-sent events, every `interval_s` seconds (`max_events` to stop)."""
    _pbx_or_staff(client)

    async def events() -> AsyncIterator[str]:
        sent = 0
        while max_events is None or sent < max_events:
            figures = await asyncio.to_thread(hotline.stats)
            yield f"event: stats\ndata: {json.dumps(asdict(figures))}\n\n"
            sent += 1
            await asyncio.sleep(max(0.1, interval_s))

    return StreamingResponse(events(), media_type="text/event-stream")
