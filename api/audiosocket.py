"""Asterisk AudioSocket input for live assist: a TCP listener taking one leg of a live call per connection.

AudioSocket's framing: each message is a kind (1 byte), a payload length (2 bytes, big-endian) and the
payload. The first message is the stream's UUID (kind 0x01, 16 bytes); then audio (0x10: 8 kHz 16-bit
little-endian mono PCM), DTMF (0x03, ignored) and hang-up (0x00, or the connection closing). A UUID says
nothing about the call, so the PBX announces each first, with its hotline key:
`PUT /api/live/audiosocket/{uuid}` with the call key, leg, agent and optional language and company (the
dialplan does it with `CURL()` before `AudioSocket(uuid,host:port)`). A connection whose UUID was not
announced in the last ANNOUNCED_S seconds, or that sends no UUID within UUID_WAIT_S, is closed without any
work; the limits of the websocket streams apply (streams at `live_max_streams`, frames over
`live_max_frame_bytes` or of odd length, audio running `live_burst_s` ahead of the clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from api.live import LiveHub, LiveRefused, LiveSession, StreamRequest

KIND_HANGUP = 0x00
KIND_UUID = 0x01
KIND_AUDIO = 0x10
KIND_ERROR = 0xFF
ANNOUNCED_S = 60.0
"""How long an announced UUID waits for its connection (s)."""
UUID_WAIT_S = 10.0
"""How long a new connection may take to send its UUID (s)."""
IDLE_S = 60.0
"""A connection silent this long (s; AudioSocket sends a frame every 20 ms) is closed."""


class AudioSocketListener:
    """The announced streams and the TCP server that takes their connections (`start`, `stop`)."""

    def __init__(self, hub: LiveHub) -> None:
        self.hub = hub
        self._announced: dict[uuid.UUID, tuple[StreamRequest, float]] = {}
        self._server: asyncio.Server | None = None
        self.port: int | None = None

    def announce(self, stream: uuid.UUID, request: StreamRequest) -> None:
        """`stream`'s connection, when it comes within ANNOUNCED_S, opens `request` (one leg)."""
        now = time.monotonic()
        self._announced = {k: v for k, v in self._announced.items() if now - v[1] < ANNOUNCED_S}
        self._announced[stream] = (request, now)

    async def start(self, host: str, port: int) -> None:
        """Listen on `host`:`port` (0: a free port, then in `port`)."""
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session: LiveSession | None = None
        request: StreamRequest | None = None
        try:
            kind, payload = await asyncio.wait_for(_read(reader), UUID_WAIT_S)
            if kind != KIND_UUID or len(payload) != 16:
                return
            found = self._announced.pop(uuid.UUID(bytes=payload), None)
            if found is None or time.monotonic() - found[1] >= ANNOUNCED_S:
                return
            request = found[0]
            session = await self.hub.begin(request)
            await self._receive(reader, session, request)
        except LiveRefused:
            writer.write(bytes([KIND_ERROR, 0, 0]))
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            pass  # the PBX hung up or went quiet: the leg ends as on a hang-up
        finally:
            if session is not None and request is not None:
                await self.hub.close_legs(session, request.legs)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _receive(
        self, reader: asyncio.StreamReader, session: LiveSession, request: StreamRequest
    ) -> None:
        settings = self.hub.settings
        began = time.monotonic()
        received = 0
        while True:
            kind, payload = await asyncio.wait_for(_read(reader), IDLE_S)
            if kind in (KIND_HANGUP, KIND_ERROR):
                return
            if kind != KIND_AUDIO:
                continue  # DTMF
            if len(payload) > settings.live_max_frame_bytes or len(payload) % 2:
                return
            received += len(payload) // 2
            if self.hub.too_fast(began, received):
                return
            await self.hub.feed(session, request.legs, payload)


async def _read(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One AudioSocket message: (kind, payload)."""
    head = await reader.readexactly(3)
    length = int.from_bytes(head[1:3], "big")
    return head[0], await reader.readexactly(length) if length else b""
