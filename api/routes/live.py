"""Live agent assist over the network.

Audio in: `WS /api/live/calls/{key}/legs/{agent|caller}?agent_id=N[&language=en][&company=…]`, one websocket
per leg, each binary message raw 8 kHz 16-bit little-endian mono PCM (what Asterisk AudioSocket and jambonz
`listen` send), or `WS /api/live/calls/{key}/stereo?agent_id=N[&left=caller|agent]…`, both legs interleaved
(jambonz `mixType: stereo`). jambonz's subprotocol is chosen when offered; its opening text message (the
call's details) is read for `sampleRate` and `mixType`, and audio other than 8 kHz or of the other mix closes
the stream (1003); other text is ignored. Opened by the PBX (the hotline key as `X-Hotline-Key` or as the
password of Basic credentials, jambonz's `wsAuth`) or a QA/admin login; refused before any work (HTTP
401/403, 404 unknown agent, 409 leg already streaming, 429 past `live_max_streams` legs). A message over
`live_max_frame_bytes` or not a whole number of samples closes the stream (1009 / 1003), as does audio
running `live_burst_s` ahead of the wall clock (1008). Asterisk AudioSocket streams come over TCP
(`api/audiosocket.py`), announced first: `PUT /api/live/audiosocket/{uuid}`.

Updates out: `GET /api/live/calls/{key}/events`, server-sent events (`event: update`, data the JSON of
`qa.assist.Update` plus `shown_at`), the call so far first; to whoever may see the agent's calls (the agent,
their team's supervisors, QA and admins; anyone else 404 as for a call that is not live).
`GET /api/live/calls` lists the live calls a user may watch, each summarised (`LiveSession.summary`).
The supervisors' wall and its stored alerts: `api/routes/live_wall.py`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers

from api.audiosocket import AudioSocketListener
from api.deps import CurrentUser, SessionDep, audio_source_refusal
from api.live import SAMPLE_RATE, LiveHub, LiveRefused, LiveSession, StreamRequest
from models import Agent, User
from scoring.workflow import may_see_agent, visible_agent_ids
from transcription.recognizer import Speaker

router = APIRouter(tags=["live"])

KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
JAMBONZ_SUBPROTOCOL = "audio.jambonz.org"


KEEP_ALIVE_S = 15.0
"""Seconds between comments on an idle event stream: proxies close streams that stay silent."""


class LiveCallRead(BaseModel):
    key: str
    agent_id: int
    agent_name: str
    legs: list[str]
    started: float
    ended: bool
    mood: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    alert_count: int
    ticked: int
    elements: int
    closing_phase: bool
    final: dict[str, Any] | None


def _hub(app: Any) -> LiveHub:
    hub: LiveHub = app.state.live
    return hub


def _visible(db: SessionDep, session: LiveSession | None, user: User) -> LiveSession:
    if session is None or not may_see_agent(db, user, session.agent_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such live call")
    return session


@router.get("/api/live/calls", response_model=list[LiveCallRead])
def list_live_calls(request: Request, user: CurrentUser, db: SessionDep) -> list[LiveCallRead]:
    """The live calls `user` may watch (an agent their own, a supervisor their team's, QA and admins all),
    summarised."""
    scope = visible_agent_ids(db, user)
    return [
        LiveCallRead(**s.summary())
        for s in list(_hub(request.app).sessions.values())
        if scope is None or s.agent_id in scope
    ]


@router.get("/api/live/calls/{key}/events")
def live_events(request: Request, key: str, user: CurrentUser, db: SessionDep) -> StreamingResponse:
    """Server-sent events of a live call: every update so far, then each as it comes, until the call ends.
    A plain `def`: who may watch is read from the database in the thread pool, never on the event loop."""
    session = _visible(db, _hub(request.app).sessions.get(key), user)

    async def stream() -> AsyncIterator[str]:
        # on the event loop, where updates are published: none slips between the backlog and the queue
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        backlog = list(session.events)
        session.listeners.add(queue)
        try:
            for past in backlog:
                yield f"event: update\ndata: {json.dumps(past)}\n\n"
            if session.released:  # it ended before this stream started: nobody will tell the queue
                yield "event: end\ndata: {}\n\n"
                return
            while True:
                try:
                    event: dict[str, Any] | None = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_S)
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


class AudioSocketAnnouncement(BaseModel):
    """Which call, leg and agent an AudioSocket stream is (`api/audiosocket.py`)."""

    key: str = Field(pattern=KEY_PATTERN)
    leg: Literal["agent", "caller"]
    agent_id: int = Field(ge=1)
    language: str | None = Field(default=None, max_length=8)
    company: str | None = Field(default=None, max_length=120)


@router.put("/api/live/audiosocket/{stream}", status_code=status.HTTP_204_NO_CONTENT)
async def announce_audiosocket(request: Request, stream: uuid.UUID, body: AudioSocketAnnouncement) -> None:
    """The PBX says which call an AudioSocket UUID is before it connects (hotline key or QA/admin login)."""
    listener: AudioSocketListener | None = request.app.state.audiosocket
    if listener is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "AudioSocket input is off: set CALLQA_LIVE_AUDIOSOCKET_PORT"
        )
    try:
        wanted = stream_request(
            request.app, request.headers, body.key, (body.leg,), body.agent_id, body.language, body.company
        )
    except LiveRefused as exc:
        raise HTTPException(exc.status, exc.detail) from exc
    listener.announce(stream, wanted)


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
    await _stream(websocket, key, (leg,), agent_id, language, company)


@router.websocket("/api/live/calls/{key}/stereo")
async def live_stereo_audio(
    websocket: WebSocket,
    key: str,
    agent_id: Annotated[int, Query(ge=1)],
    left: Annotated[Literal["agent", "caller"], Query()] = "caller",
    language: Annotated[str | None, Query(max_length=8)] = None,
    company: Annotated[str | None, Query(max_length=120)] = None,
) -> None:
    """Both legs on one stream, interleaved (jambonz `listen` with `mixType: stereo`); `left` is the leg of
    the first channel (jambonz's: the caller, the call's A leg)."""
    legs: tuple[Speaker, ...] = (left, "agent" if left == "caller" else "caller")
    await _stream(websocket, key, legs, agent_id, language, company)


def stream_request(
    app: Any,
    headers: Headers,
    key: str,
    legs: tuple[Speaker, ...],
    agent_id: int,
    language: str | None,
    company: str | None,
) -> StreamRequest:
    """The stream these headers may open (the PBX's hotline key or a QA/admin login), for a valid call key
    and a known agent; raises LiveRefused with the HTTP status to answer."""
    refusal = audio_source_refusal(app.state.session_factory, _hub(app).settings, headers)
    if refusal is not None:
        raise LiveRefused(refusal, "live audio needs the hotline key or a QA/admin login")
    if not re.match(KEY_PATTERN, key):
        raise LiveRefused(status.HTTP_422_UNPROCESSABLE_ENTITY, "call key: 1-64 letters, digits, _ . : -")
    with app.state.session_factory() as db:
        agent = db.get(Agent, agent_id)
        if agent is None:
            raise LiveRefused(status.HTTP_404_NOT_FOUND, "agent not found")
        return StreamRequest(key, legs, agent_id, agent.name, agent.employee_no, language, company)


async def _stream(
    websocket: WebSocket,
    key: str,
    legs: tuple[Speaker, ...],
    agent_id: int,
    language: str | None,
    company: str | None,
) -> None:
    hub = _hub(websocket.app)
    try:
        request = stream_request(websocket.app, websocket.headers, key, legs, agent_id, language, company)
        session = await hub.begin(request)
    except LiveRefused as exc:
        await websocket.send_denial_response(JSONResponse({"detail": exc.detail}, status_code=exc.status))
        return
    # jambonz asks for its subprotocol and drops a connection that does not choose it
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol=JAMBONZ_SUBPROTOCOL if JAMBONZ_SUBPROTOCOL in offered else None)
    try:
        await _receive(websocket, hub, session, legs)
    finally:
        await hub.close_legs(session, legs)


async def _receive(
    websocket: WebSocket, hub: LiveHub, session: LiveSession, legs: tuple[Speaker, ...]
) -> None:
    settings = hub.settings
    began = time.monotonic()
    received = 0
    frame = 2 * len(legs)  # bytes of one sample of every leg
    while True:
        try:
            message = await websocket.receive()
        except WebSocketDisconnect:
            return
        if message["type"] == "websocket.disconnect":
            return
        pcm = message.get("bytes")
        if pcm is None:
            wrong = _metadata_refusal(message.get("text") or "", len(legs))
            if wrong:
                await websocket.close(1003, wrong)
                return
            continue
        if len(pcm) > settings.live_max_frame_bytes:
            await websocket.close(1009, f"frame over {settings.live_max_frame_bytes} bytes")
            return
        if len(pcm) % frame:
            await websocket.close(
                1003, f"16-bit PCM frames of {len(legs)} channel(s): a multiple of {frame} bytes"
            )
            return
        received += len(pcm) // frame
        if hub.too_fast(began, received):
            await websocket.close(1008, "audio faster than real time")
            return
        await hub.feed(session, legs, pcm)


def _metadata_refusal(text: str, channels: int) -> str:
    """Why a text message (jambonz sends the call's details and its audio's `sampleRate` and `mixType`
    first) describes audio this stream cannot take, or "" (other text is ignored)."""
    try:
        meta = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(meta, dict):
        return ""
    rate, mix = meta.get("sampleRate"), meta.get("mixType")
    if rate is not None and rate != SAMPLE_RATE:
        return f"sampleRate {rate}: live audio is {SAMPLE_RATE} Hz"
    expected = "stereo" if channels == 2 else "mono"
    if mix is not None and mix != expected:
        return f"mixType {mix}: this stream takes {expected} audio"
    return ""
