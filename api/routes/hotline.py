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


@router.post("/calls/{call_id}/escalate", response_model=CallView)
def escalate(
    call_id: IdPath, body: EscalationRequest, hotline: HotlineDep, client: HotlineClient
) -> CallView:
    """The agent on the call (or the PBX, or an admin) hands it on to a higher tier: the same call waits
    for an agent of that tier, ahead of later callers. 409 unless it is talking; 422 for a tier that is not
    configured or not above the agent's, or that no agent of it could take."""
    if (
        client is not None
        and client.role != "admin"
        and (client.role != "agent" or hotline.call_view(call_id).agent_id != client.agent_id)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "hotline call not found")
    return hotline.escalate(call_id, reason=body.reason, to_tier=body.to_tier, skills=body.skills)


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
