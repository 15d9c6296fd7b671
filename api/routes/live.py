"""Live agent assist over the network.

Audio in: `WS /api/live/calls/{key}/legs/{agent|caller}?agent_id=N[&language=en][&company=…]`, one websocket
per leg, each binary message raw 8 kHz 16-bit little-endian mono PCM (what Asterisk AudioSocket and jambonz
`listen` send; a text message, such as jambonz's opening metadata, is ignored). Opened by the PBX
(`X-Hotline-Key`) or a QA/admin login; refused before any work (HTTP 401/403, 404 unknown agent, 409 leg
already streaming, 429 at `live_max_streams`). A message over `live_max_frame_bytes` or of odd length closes
the leg (1009 / 1003), as does audio running `live_burst_s` ahead of the wall clock (1008).

Updates out: `GET /api/live/calls/{key}/events`, server-sent events (`event: update`, data the JSON of
`qa.assist.Update` plus `shown_at`), the call so far first; only to the call's agent and QA/admin.
`GET /api/live/calls` lists the live calls a user may watch.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from api.deps import CurrentUser, audio_source_refusal
from api.live import SAMPLE_RATE, LiveHub, LiveRefused, LiveSession
from models import Agent, User

router = APIRouter(tags=["live"])

KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


class LiveCallRead(BaseModel):
    key: str
    agent_id: int
    legs: list[str]
    started: float


def _hub(app: Any) -> LiveHub:
    hub: LiveHub = app.state.live
    return hub


def _visible(session: LiveSession | None, user: User) -> LiveSession:
    if session is None or (user.role == "agent" and user.agent_id != session.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such live call")
    return session


@router.get("/api/live/calls", response_model=list[LiveCallRead])
def list_live_calls(request: Request, user: CurrentUser) -> list[LiveCallRead]:
    """The live calls `user` may watch: an agent their own, QA and admins all."""
    sessions = list(_hub(request.app).sessions.values())
    return [
        LiveCallRead(key=s.key, agent_id=s.agent_id, legs=sorted(s.legs), started=s.started)
        for s in sessions
        if user.role != "agent" or user.agent_id == s.agent_id
    ]


@router.get("/api/live/calls/{key}/events")
async def live_events(request: Request, key: str, user: CurrentUser) -> StreamingResponse:
    """Server-sent events of a live call: every update so far, then each as it comes, until the call ends."""
    session = _visible(_hub(request.app).sessions.get(key), user)
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    backlog = list(session.events)
    session.listeners.add(queue)

    async def stream() -> AsyncIterator[str]:
        try:
            for past in backlog:
                yield f"event: update\ndata: {json.dumps(past)}\n\n"
            while True:
                try:
                    event: dict[str, Any] | None = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"  # proxies close idle streams
                    continue
                if event is None:
                    yield "event: end\ndata: {}\n\n"
                    return
                yield f"event: update\ndata: {json.dumps(event)}\n\n"
        finally:
            session.listeners.discard(queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.websocket("/api/live/calls/{key}/legs/{leg}")
async def live_audio(
    websocket: WebSocket,
    key: str,
    leg: Literal["agent", "caller"],
    agent_id: Annotated[int, Query(ge=1)],
    language: Annotated[str | None, Query(max_length=8)] = None,
    company: Annotated[str | None, Query(max_length=120)] = None,
) -> None:
    """One leg of a live call: authenticate, check the limits, then decode its frames as they come."""
    app = websocket.app
    hub = _hub(app)
    settings = hub.settings

    async def refuse(code: int, detail: str) -> None:
        await websocket.send_denial_response(JSONResponse({"detail": detail}, status_code=code))

    refusal = audio_source_refusal(app.state.session_factory, settings, websocket.headers)
    if refusal is not None:
        await refuse(refusal, "live audio needs the hotline key or a QA/admin login")
        return
    if not re.match(KEY_PATTERN, key):
        await refuse(status.HTTP_422_UNPROCESSABLE_ENTITY, "call key: 1-64 letters, digits, _ . : -")
        return
    with app.state.session_factory() as db:
        agent = db.get(Agent, agent_id)
        name, number = (agent.name, agent.employee_no) if agent is not None else (None, None)
    if agent is None:
        await refuse(status.HTTP_404_NOT_FOUND, "agent not found")
        return
    try:
        session = hub.reserve(key, leg, agent_id)
    except LiveRefused as exc:
        await refuse(exc.status, exc.detail)
        return
    try:
        call = None
        if session is None:
            loop = asyncio.get_running_loop()
            call = await loop.run_in_executor(hub.executor, hub.build_call, language, name, number, company)
    except BaseException:
        hub.release()
        raise
    try:
        session = hub.open(key, leg, agent_id, call)
    except LiveRefused as exc:
        await refuse(exc.status, exc.detail)
        return
    await websocket.accept()
    try:
        await _receive(websocket, hub, session, leg)
    finally:
        await hub.close_leg(session, leg)


async def _receive(
    websocket: WebSocket, hub: LiveHub, session: LiveSession, leg: Literal["agent", "caller"]
) -> None:
    settings = hub.settings
    began = time.monotonic()
    received = 0
    while True:
        try:
            message = await websocket.receive()
        except WebSocketDisconnect:
            return
        if message["type"] == "websocket.disconnect":
            return
        pcm = message.get("bytes")
        if pcm is None:
            continue  # text: stream metadata (jambonz sends its call's details first)
        if len(pcm) > settings.live_max_frame_bytes:
            await websocket.close(1009, f"frame over {settings.live_max_frame_bytes} bytes")
            return
        if len(pcm) % 2:
            await websocket.close(1003, "16-bit PCM frames have an even length")
            return
        received += len(pcm) // 2
        if received / SAMPLE_RATE > time.monotonic() - began + settings.live_burst_s:
            await websocket.close(1008, "audio faster than real time")
            return
        await hub.feed(session, leg, pcm)
