"""The server's live calls: audio legs streamed in (websocket), assist updates fanned out (server-sent
events).

One `LiveHub` per app. It counts open legs against `live_max_streams`, keeps each call's updates (a page that
opens late sees the call so far), and runs the CPU work (endpointing, decoding, the assistant) on its own
threads, never on the event loop. Recognisers are loaded once per language and shared by every call, one
decode at a time.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from callqa.pipeline.analyzers import AnalyzersByLanguage
from callqa.pipeline.live import LiveCall, SerialRecognizer, open_live_call
from callqa.settings import Settings
from qa.assist import Update
from transcription.recognizer import FloatArray, Speaker

SAMPLE_RATE = 8000
"""Live audio is telephone audio: 8 kHz 16-bit little-endian mono PCM per leg (AudioSocket, jambonz)."""


class LiveRefused(Exception):
    """A leg cannot be opened: `status` is the HTTP code to answer the handshake with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class LiveSession:
    """One live call on this server: its agent, open legs, updates so far and listeners."""

    key: str
    agent_id: int
    call: LiveCall
    started: float
    legs: set[Speaker] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    listeners: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)
    ended: bool = False

    def publish(self, updates: list[Update]) -> None:
        """Record and send `updates` (on the event loop); `shown_at` is the wall-clock time (s) they left."""
        for update in updates:
            event = {**update.to_json(), "shown_at": time.time()}
            self.events.append(event)
            for queue in self.listeners:
                queue.put_nowait(event)


class LiveHub:
    """Open legs, their calls, and the threads that do their work."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, LiveSession] = {}
        self._analyzers = AnalyzersByLanguage(settings)
        self._recognizers: dict[str, SerialRecognizer] = {}
        self._build_lock = threading.Lock()
        self._opening = 0
        self.executor = ThreadPoolExecutor(max_workers=settings.live_max_streams, thread_name_prefix="live")

    @property
    def open_legs(self) -> int:
        """Legs streaming now plus legs being opened."""
        return sum(len(s.legs) for s in self.sessions.values()) + self._opening

    def reserve(self, key: str, leg: Speaker, agent_id: int) -> LiveSession | None:
        """Check the limits for a new leg before any work and hold its place (raises LiveRefused); the
        call's session when it is already live (its other leg joins it), else None (build a call and
        `open` it). Every reservation ends in `open` or `release`."""
        if self.open_legs >= self.settings.live_max_streams:
            raise LiveRefused(429, f"live streams at their limit ({self.settings.live_max_streams})")
        session = self.sessions.get(key)
        if session is not None:
            self._check_join(session, leg, agent_id)
        self._opening += 1
        return session

    def release(self) -> None:
        """A reservation that was not opened."""
        self._opening -= 1

    @staticmethod
    def _check_join(session: LiveSession, leg: Speaker, agent_id: int) -> None:
        if session.agent_id != agent_id:
            raise LiveRefused(409, "this call is live with another agent")
        if leg in session.legs:
            raise LiveRefused(409, f"the {leg} leg of this call is already streaming")

    def build_call(
        self, language: str | None, agent_name: str | None, agent_number: str | None, company: str | None
    ) -> LiveCall:
        """A new live call (blocking: may load the language's models the first time; run it on `executor`)."""
        analyzer = self._analyzers.for_language(language)
        lang = analyzer.settings.language
        with self._build_lock:
            if lang not in self._recognizers:
                self._recognizers[lang] = SerialRecognizer(analyzer.recognizer)
            recognizer = self._recognizers[lang]
            analyzer.sentiment  # noqa: B018 - fitted here, not on the first caller utterance
        return open_live_call(
            analyzer,
            recognizer,
            sample_rate=SAMPLE_RATE,
            agent_name=agent_name,
            agent_number=agent_number,
            company=company,
        )

    def open(self, key: str, leg: Speaker, agent_id: int, call: LiveCall | None) -> LiveSession:
        """Turn a reservation into an open leg of call `key` (a new session with `call` unless the other leg
        opened it meanwhile); raises LiveRefused (the reservation is then released) on a clash."""
        self._opening -= 1
        session = self.sessions.get(key)
        if session is None:
            if call is None:
                raise LiveRefused(409, "the call ended while this leg was opening")
            session = LiveSession(key, agent_id, call, time.time())
            self.sessions[key] = session
        self._check_join(session, leg, agent_id)
        session.legs.add(leg)
        return session

    async def feed(self, session: LiveSession, leg: Speaker, pcm: bytes) -> None:
        """Decode one frame of `leg` off the event loop and publish what it changed."""
        samples: FloatArray = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        loop = asyncio.get_running_loop()
        updates = await loop.run_in_executor(self.executor, session.call.feed, leg, samples)
        session.publish(updates)

    async def close_leg(self, session: LiveSession, leg: Speaker) -> None:
        """`leg` stopped; when it was the call's last, the call ends: its last utterances and verdicts are
        published and its listeners released."""
        session.legs.discard(leg)
        if session.legs or session.ended:
            return
        session.ended = True
        self.sessions.pop(session.key, None)
        loop = asyncio.get_running_loop()
        updates = await loop.run_in_executor(self.executor, session.call.finish)
        session.publish(updates)
        for queue in session.listeners:
            queue.put_nowait(None)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
