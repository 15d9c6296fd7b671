"""The server's live calls: audio legs streamed in (websocket), assist updates fanned out (server-sent
events).

One `LiveHub` per app. It counts open legs against `live_max_streams`, keeps each call's updates (a page that
opens late sees the call so far) and a summary of it for the supervisors' wall (the caller's mood, the
alerts: forbidden remarks, an upset or silent caller, greeting elements missed), and runs the CPU work
(endpointing, decoding, the assistant) on its own threads, never on the event loop. Recognisers are loaded
once per language and shared by every call, one decode at a time. Alerts are also stored as they are raised
(`callqa.services.live_alerts`: they outlive the call and a restart, and go out as `live.alert` webhooks).
The supervisors' walls get every change as a `WallEvent`; each wall filters them by its own scope.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callqa.pipeline.analyzers import AnalyzersByLanguage
from callqa.pipeline.live import LiveCall, SerialRecognizer, live_recognizer, open_live_call
from callqa.services.live_alerts import RaisedAlert, record_alerts
from callqa.settings import Settings
from models import LIVE_ALERT_KINDS
from qa.assist import Update
from transcription.recognizer import Speaker

log = logging.getLogger("api.live")

WALL_ROLES = ("supervisor", "admin")
"""Who sees the supervisors' wall and its alerts (a supervisor only their team's). Suggestions of the kinds
in `models.LIVE_ALERT_KINDS` are alerts; the closing's are the normal end of a call."""
SHOWN_ALERTS = 5
"""Newest alerts a call's summary carries."""
SAMPLE_RATE = 8000
"""Live audio is telephone audio: 8 kHz 16-bit little-endian mono PCM per leg (AudioSocket, jambonz)."""


class LiveAlertRead(BaseModel):
    """A stored alert (`models.LiveAlert`): `at_s` seconds into the call, `evidence` the words heard."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    call_key: str
    agent_id: int
    kind: str
    reason: str
    say: str
    evidence: str
    at_s: float
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None


WallEvent = tuple[str, dict[str, Any]]
"""What a wall is sent: ("call", a call's summary) or ("alert", a stored alert, `LiveAlertRead`)."""


@dataclass(frozen=True)
class StreamRequest:
    """A live audio stream asked for and allowed: call `key`, its `legs` in channel order (one, or both on a
    stereo stream), the agent (id, name, work number) and the call's language and company (None: the
    server's)."""

    key: str
    legs: tuple[Speaker, ...]
    agent_id: int
    agent_name: str
    agent_number: str | None
    language: str | None
    company: str | None


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
    agent_name: str = ""
    legs: set[Speaker] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    listeners: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)
    ended: bool = False
    released: bool = False
    """The listeners have been told the call is over (its last updates are all in `events`)."""
    mood: dict[str, Any] | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, updates: list[Update]) -> list[RaisedAlert]:
        """Record and send `updates` (on the event loop); `shown_at` is the wall-clock time (s) they left.
        Returns the alerts they raised, with the words of the turn that raised them as evidence (the
        agent's remark, the caller's utterance; "" when the clock raised them: silence, an opening window
        that passed)."""
        raised: list[RaisedAlert] = []
        for update in updates:
            event = {**update.to_json(), "shown_at": time.time()}
            self.events.append(event)
            turn = update.turn
            if turn is not None and turn.speaker == "caller" and turn.sentiment is not None:
                self.mood = {"sentiment": turn.sentiment, "agitated": turn.agitated, "at": round(turn.end, 3)}
            alerts = [s for s in update.suggestions if s.kind in LIVE_ALERT_KINDS]
            self.alerts += [
                {"kind": s.kind, "reason": s.reason, "say": s.say, "at": round(s.at, 3)} for s in alerts
            ]
            evidence, speaker = (turn.text, turn.speaker) if turn is not None else ("", None)
            raised += [RaisedAlert(s.kind, s.reason, s.say, s.at, evidence, speaker) for s in alerts]
            for queue in self.listeners:
                queue.put_nowait(event)
        return raised

    def summary(self) -> dict[str, Any]:
        """The call at a glance (JSON-ready): who, the caller's last mood, the newest alerts (and how many),
        the checklist's progress, and the verdicts once it ended."""
        last = self.events[-1] if self.events else None
        checklist = last["checklist"] if last else []
        return {
            "key": self.key,
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "started": self.started,
            "legs": sorted(self.legs),
            "ended": self.ended,
            "mood": self.mood,
            "alerts": self.alerts[::-1][:SHOWN_ALERTS],
            "alert_count": len(self.alerts),
            "ticked": sum(e["ticked"] for e in checklist),
            "elements": len(checklist),
            "closing_phase": bool(last and last["closing_phase"]),
            "final": last["final"] if last else None,
        }


class LiveHub:
    """Open legs, their calls, and the threads that do their work."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self._session_factory = session_factory
        self.sessions: dict[str, LiveSession] = {}
        self._analyzers = AnalyzersByLanguage(settings)
        self._recognizers: dict[str, SerialRecognizer] = {}
        self._build_lock = threading.Lock()
        self._opening = 0
        self.watchers: set[asyncio.Queue[WallEvent]] = set()
        """Supervisors' walls: each one's queue of changes (every agent's: a wall filters by its scope)."""
        self.executor = ThreadPoolExecutor(max_workers=settings.live_max_streams, thread_name_prefix="live")

    @property
    def open_legs(self) -> int:
        """Legs streaming now plus legs being opened."""
        return sum(len(s.legs) for s in self.sessions.values()) + self._opening

    def reserve(self, key: str, legs: tuple[Speaker, ...], agent_id: int) -> LiveSession | None:
        """Check the limits for a stream of `legs` (one, or both on a stereo stream) before any work and
        hold their places (raises LiveRefused); the call's session when it is already live (the other leg
        joins it), else None (build a call and `open` it). Every reservation ends in `open` or `release`."""
        if self.open_legs + len(legs) > self.settings.live_max_streams:
            raise LiveRefused(429, f"live streams at their limit ({self.settings.live_max_streams} legs)")
        session = self.sessions.get(key)
        if session is not None:
            self._check_join(session, legs, agent_id)
        self._opening += len(legs)
        return session

    def release(self, legs: tuple[Speaker, ...]) -> None:
        """A reservation that was not opened."""
        self._opening -= len(legs)

    @staticmethod
    def _check_join(session: LiveSession, legs: tuple[Speaker, ...], agent_id: int) -> None:
        if session.agent_id != agent_id:
            raise LiveRefused(409, "this call is live with another agent")
        for leg in legs:
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
                self._recognizers[lang] = SerialRecognizer(live_recognizer(analyzer.settings))
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

    async def begin(self, request: StreamRequest) -> LiveSession:
        """Open the stream's legs: limits checked first, the call built when it is new (its models loaded
        off the event loop); raises LiveRefused."""
        session = self.reserve(request.key, request.legs, request.agent_id)
        try:
            call = None
            if session is None:
                loop = asyncio.get_running_loop()
                call = await loop.run_in_executor(
                    self.executor,
                    self.build_call,
                    request.language,
                    request.agent_name,
                    request.agent_number,
                    request.company,
                )
        except BaseException:
            self.release(request.legs)
            raise
        return self.open(request.key, request.legs, request.agent_id, call, request.agent_name)

    def too_fast(self, began: float, samples: int) -> bool:
        """Whether `samples` per leg received since monotonic time `began` run more than `live_burst_s`
        ahead of the wall clock (a stream is cut off then, not queued up)."""
        return samples / SAMPLE_RATE > time.monotonic() - began + self.settings.live_burst_s

    def open(
        self, key: str, legs: tuple[Speaker, ...], agent_id: int, call: LiveCall | None, agent_name: str = ""
    ) -> LiveSession:
        """Turn a reservation into open `legs` of call `key` (a new session with `call` unless the other leg
        opened it meanwhile); raises LiveRefused (the reservation is then released) on a clash."""
        self._opening -= len(legs)
        session = self.sessions.get(key)
        if session is None:
            if call is None:
                raise LiveRefused(409, "the call ended while this leg was opening")
            session = LiveSession(key, agent_id, call, time.time(), agent_name)
            self.sessions[key] = session
        self._check_join(session, legs, agent_id)
        session.legs.update(legs)
        self._changed(session)
        return session

    def _changed(self, session: LiveSession) -> None:
        """Send `session`'s summary to the walls."""
        self._to_walls(("call", session.summary()))

    def _to_walls(self, event: WallEvent) -> None:
        for queue in self.watchers:
            queue.put_nowait(event)

    async def _publish(self, session: LiveSession, updates: list[Update]) -> None:
        """Publish `updates`, tell the walls, and store the alerts they raised (off the event loop; a
        database failure is logged and does not stop the call)."""
        raised = session.publish(updates)
        self._changed(session)
        if not raised:
            return
        try:
            stored = await asyncio.get_running_loop().run_in_executor(
                None, self._store_alerts, session, raised
            )
        except SQLAlchemyError:
            log.exception("live alerts of call %s not stored", session.key)
            return
        for alert in stored:
            self._to_walls(("alert", alert))

    def _store_alerts(self, session: LiveSession, raised: list[RaisedAlert]) -> list[dict[str, Any]]:
        """Store `raised` with their evidence redacted as the call's stored transcript would be."""
        kept = [
            replace(a, evidence=session.call.redact(a.speaker, a.evidence)) if a.speaker else a
            for a in raised
        ]
        with self._session_factory() as db:
            rows = record_alerts(db, call_key=session.key, agent_id=session.agent_id, raised=kept)
            db.commit()
            return [LiveAlertRead.model_validate(row).model_dump(mode="json") for row in rows]

    async def feed(self, session: LiveSession, legs: tuple[Speaker, ...], pcm: bytes) -> None:
        """Decode one frame off the event loop and publish what it changed: 16-bit little-endian PCM of
        `legs`, interleaved when there are two (a stereo stream)."""
        frames = np.frombuffer(pcm, dtype="<i2").astype(np.float32).reshape(-1, len(legs)) / 32768.0

        def work() -> list[Update]:
            return [u for i, leg in enumerate(legs) for u in session.call.feed(leg, frames[:, i].copy())]

        updates = await asyncio.get_running_loop().run_in_executor(self.executor, work)
        if updates:
            await self._publish(session, updates)

    async def close_legs(self, session: LiveSession, legs: tuple[Speaker, ...]) -> None:
        """`legs` stopped; when they were the call's last, the call ends: its last utterances and verdicts
        are published and its listeners released."""
        session.legs.difference_update(legs)
        if session.legs or session.ended:
            self._changed(session)
            return
        session.ended = True
        self.sessions.pop(session.key, None)
        loop = asyncio.get_running_loop()
        updates = await loop.run_in_executor(self.executor, session.call.finish)
        await self._publish(session, updates)
        for queue in session.listeners:
            queue.put_nowait(None)
        session.released = True

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
