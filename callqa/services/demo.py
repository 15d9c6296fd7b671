"""Demo data: agents, logins and calls rendered from text with espeak-ng, ingested through the real path."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import yaml
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.pipeline.augment import PHONE_SR, speak
from callqa.services.ingest import DuplicateCallError, ingest_recording
from callqa.services.users import create_user
from callqa.settings import Settings
from models import Agent, User, session_scope
from routing.service import set_skills
from transcription.recognizer import FloatArray

AGENT_VOICES = ("en-us+f3", "en-us+m3", "en-us+f2")
CALLER_VOICES = ("en-gb+m3", "en-us+f4", "en-us+m1")
DEMO_PASSWORD = "callqa-demo"
DEMO_WPM = 165

Voice = str | Callable[[str], FloatArray]
"""An espeak-ng voice name, or a function speaking a text as float32 mono at PHONE_SR Hz (another
synthesiser, or recorded prompts)."""


def lay_out(
    turns: Sequence[Sequence[Any]], agent_voice: Voice, caller_voice: Voice, *, speed: int | None = None
) -> tuple[FloatArray, list[dict[str, Any]]]:
    """The two legs of a call (shape 2 × samples at PHONE_SR, agent first, 1 s of silence after the last
    turn) spoken from (speaker, text, pause before it in s) turns, and the turns with their times in s.
    `speed` (words per minute) applies to espeak-ng voices only."""
    cursor = 0
    placed: list[tuple[int, int, FloatArray]] = []
    reference: list[dict[str, Any]] = []
    for speaker, text, pause_s in turns:
        cursor += int(float(pause_s) * PHONE_SR)
        voice = agent_voice if speaker == "agent" else caller_voice
        audio = voice(text) if callable(voice) else speak(text, voice, speed=speed)
        placed.append((0 if speaker == "agent" else 1, cursor, audio))
        reference.append(
            {
                "speaker": speaker,
                "start": cursor / PHONE_SR,
                "end": (cursor + len(audio)) / PHONE_SR,
                "text": text,
            }
        )
        cursor += len(audio)
    legs = np.zeros((2, cursor + PHONE_SR), dtype=np.float32)
    for channel, offset, audio in placed:
        legs[channel, offset : offset + len(audio)] += audio
    return legs, reference


def render_call(
    turns: list[list[Any]], agent_voice: str, caller_voice: str, path: Path, *, speed: int = DEMO_WPM
) -> list[dict[str, Any]]:
    """Write a stereo call: agent on channel 0, caller on channel 1, turns separated by their pauses,
    espeak-ng voices at `speed` words per minute; return the turns with their times (see `lay_out`)."""
    legs, reference = lay_out(turns, agent_voice, caller_voice, speed=speed)
    stereo: FloatArray = np.ascontiguousarray(legs.T * 0.6, dtype=np.float32)
    # A little line noise so the legs are not digitally silent, as on a real phone line.
    stereo += np.random.default_rng(7).normal(0, 0.002, stereo.shape).astype(np.float32)
    sf.write(path, stereo, PHONE_SR, subtype="PCM_16")
    return reference


def create_demo_data(
    settings: Settings, factory: sessionmaker[Session], *, n_calls: int, console: Console
) -> list[tuple[str, str, str]]:
    """Create demo agents/users (idempotent) and ingest up to `n_calls` rendered calls.

    Returns the demo logins as (username, password, role).
    """
    spec = yaml.safe_load(resources.files("callqa.services").joinpath("demo_calls.yaml").read_text())
    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    with session_scope(factory) as session:
        agents = [_ensure_agent(session, a) for a in spec["agents"]]
        agent_ids = [a.id for a in agents]
        logins = _ensure_users(session, agents)
    for i, call in enumerate(spec["calls"][:n_calls]):
        wav = out_dir / f"demo-{i:02d}.wav"
        if not wav.exists():
            console.print(f"rendering {wav.name}")
            agent_voice, caller_voice = call.get("voices") or (
                AGENT_VOICES[i % len(AGENT_VOICES)],
                CALLER_VOICES[i % len(CALLER_VOICES)],
            )
            render_call(call["turns"], agent_voice, caller_voice, wav)
        with session_scope(factory) as session, contextlib.suppress(DuplicateCallError):
            ingest_recording(  # a recording ingested by an earlier `make demo` is skipped
                session,
                source=wav,
                recordings_dir=settings.recordings_dir,
                agent_id=agent_ids[call["agent"]],
                original_filename=wav.name,
                caller_number=f"+44 20 7946 0{100 + i}",
                caller_key=settings.caller_number_key,
                language=call.get("language"),
                default_language=settings.language,
            )
    return logins


def _ensure_agent(session: Session, spec: dict[str, Any]) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.employee_no == spec["employee_no"]))
    if agent is None:
        agent = Agent(
            name=spec["name"], employee_no=spec["employee_no"], languages=spec.get("languages", ["en"])
        )
        session.add(agent)
        set_skills(session, agent, spec["skills"])
    return agent


def _ensure_users(session: Session, agents: list[Agent]) -> list[tuple[str, str, str]]:
    wanted = [("admin", "admin", None), ("qa", "qa", None)] + [
        (a.name.split()[0].lower(), "agent", a.id) for a in agents
    ]
    for username, role, agent_id in wanted:
        if session.scalar(select(User).where(User.username == username)) is None:
            create_user(session, username=username, password=DEMO_PASSWORD, role=role, agent_id=agent_id)
    return [(username, DEMO_PASSWORD, role) for username, role, _ in wanted]
