"""The hotline API a PBX/IVR drives: calls arrive, are offered, answered, ended or abandoned; agents change
state; queue statistics are read or streamed (server-sent events).

Callers: the PBX, authenticated by the `X-Hotline-Key` shared secret (settings `CALLQA_HOTLINE_KEY`),
or an `admin` user's bearer token. An `agent` user may read and set only their own state.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import SESSION_COOKIE, SettingsDep, get_current_user, oauth2_scheme
from callqa.hotline import Hotline, HotlineError
from models import User
from routing.service import AgentView, CallView, DecisionView, QueueStats

router = APIRouter(prefix="/api/hotline", tags=["hotline"])
T = TypeVar("T")


class CallArrival(BaseModel):
    caller_number: str = Field(min_length=1, max_length=40)
    ivr_choice: str | None = Field(default=None, description="Menu choice, mapped to skills by the config.")
    skills: dict[str, Annotated[int, Field(ge=1, le=5)]] | None = Field(
        default=None, description="Required skills → minimum proficiency; overrides ivr_choice."
    )
    language: str = Field(default="en", max_length=8)
    priority: int = Field(default=0, ge=0, le=100, description="Higher is served first (VIP).")


class CallbackRequest(BaseModel):
    number: str | None = Field(default=None, max_length=40)


class AgentStateChange(BaseModel):
    status: Literal["available", "break", "offline"]


def get_hotline(request: Request) -> Hotline:
    hotline: Hotline = request.app.state.hotline
    return hotline


HotlineDep = Annotated[Hotline, Depends(get_hotline)]


def hotline_client(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    x_hotline_key: Annotated[str | None, Header()] = None,
) -> User | None:
    """The PBX (valid key → None) or a logged-in user; anyone else gets 401."""
    if x_hotline_key is not None:
        if settings.hotline_key and hmac.compare_digest(x_hotline_key, settings.hotline_key):
            return None
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid hotline key")
    with request.app.state.session_factory() as session:
        user = get_current_user(session, settings, token, request.cookies.get(SESSION_COOKIE))
        session.expunge(user)
        return user


Client = Annotated[User | None, Depends(hotline_client)]


def _pbx_or_admin(client: User | None) -> None:
    if client is not None and client.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role admin")


def _run(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return action(*args, **kwargs)
    except HotlineError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.post("/calls", status_code=status.HTTP_201_CREATED)
def call_arrived(body: CallArrival, hotline: HotlineDep, client: Client) -> CallView:
    """A call reached the hotline. Returns the agent it was offered to, or its queue position, the
    estimated wait (s) and the announcement text for the IVR."""
    _pbx_or_admin(client)
    return _run(
        hotline.call_arrived,
        body.caller_number,
        ivr_choice=body.ivr_choice,
        skills=body.skills,
        language=body.language,
        priority=body.priority,
    )


@router.get("/calls/{call_id}")
def get_call(call_id: int, hotline: HotlineDep, client: Client) -> CallView:
    _pbx_or_admin(client)
    return _run(hotline.call_view, call_id)


@router.get("/calls/{call_id}/decisions")
def call_decisions(call_id: int, hotline: HotlineDep, client: Client) -> list[DecisionView]:
    """Why the call went where it went: each assignment with the candidates considered."""
    _pbx_or_admin(client)
    _run(hotline.call_view, call_id)
    return hotline.decisions(call_id)


@router.post("/calls/{call_id}/answer")
def answer(call_id: int, hotline: HotlineDep, client: Client) -> CallView:
    _pbx_or_admin(client)
    return _run(hotline.answer, call_id)


@router.post("/calls/{call_id}/reject")
def reject(call_id: int, hotline: HotlineDep, client: Client, pause_agent: bool = True) -> CallView:
    """The agent rejected or did not answer: re-offered elsewhere, caller keeps their place."""
    _pbx_or_admin(client)
    return _run(hotline.reject, call_id, pause_agent=pause_agent)


@router.post("/calls/{call_id}/end")
def end(call_id: int, hotline: HotlineDep, client: Client) -> CallView:
    _pbx_or_admin(client)
    return _run(hotline.end, call_id)


@router.post("/calls/{call_id}/abandon")
def abandon(call_id: int, hotline: HotlineDep, client: Client) -> CallView:
    _pbx_or_admin(client)
    return _run(hotline.abandon, call_id)


@router.post("/calls/{call_id}/callback")
def callback(call_id: int, body: CallbackRequest, hotline: HotlineDep, client: Client) -> CallView:
    _pbx_or_admin(client)
    return _run(hotline.request_callback, call_id, body.number)


def _own_or_pbx(client: User | None, agent_id: int) -> None:
    if client is None or client.role == "admin":
        return
    if client.role == "agent" and client.agent_id == agent_id:
        return
    raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")


@router.get("/agents/{agent_id}")
def agent_state(agent_id: int, hotline: HotlineDep, client: Client) -> AgentView:
    _own_or_pbx(client, agent_id)
    return _run(hotline.agent_view, agent_id)


@router.put("/agents/{agent_id}/state")
def set_agent_state(agent_id: int, body: AgentStateChange, hotline: HotlineDep, client: Client) -> AgentView:
    _own_or_pbx(client, agent_id)
    return _run(hotline.set_agent_state, agent_id, body.status)


@router.get("/stats")
def stats(hotline: HotlineDep, client: Client) -> QueueStats:
    """Waiting calls, longest wait, service level (24 h), agents by state."""
    if client is not None and client.role not in ("admin", "qa"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role qa/admin")
    return hotline.stats()


@router.get("/stats/stream")
async def stats_stream(
    hotline: HotlineDep, client: Client, interval_s: float = 1.0, max_events: int | None = None
) -> StreamingResponse:
    """The same figures as server-sent events, every `interval_s` seconds (`max_events` to stop)."""
    if client is not None and client.role not in ("admin", "qa"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the hotline key or role qa/admin")

    async def events() -> AsyncIterator[str]:
        sent = 0
        while max_events is None or sent < max_events:
            figures = await asyncio.to_thread(hotline.stats)
            yield f"event: stats\ndata: {json.dumps(asdict(figures))}\n\n"
            sent += 1
            await asyncio.sleep(max(0.1, interval_s))

    return StreamingResponse(events(), media_type="text/event-stream")
