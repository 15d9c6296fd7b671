"""Ingesting the recordings a PBX writes into a folder (Asterisk MixMonitor), each once and only finished.

A recording `NAME.wav` (any audio suffix) is finished when the PBX says so, as MixMonitor's end command
does after it closed the file: a JSON sidecar `NAME.json`, or a marker `NAME.done` (or `NAME.wav.done`).
The sidecar tells who and what the call was (all keys optional):

    {"pbx_call_id": "1732761000.42", "agent_extension": "PJSIP/1001", "agent_id": 3,
     "caller_number": "+44 20 7946 0018", "started_at": "2026-11-28T09:15:00+00:00",
     "ended_at": 1732785600.5, "direction": "inbound"}

(`uniqueid` is read as `pbx_call_id`; times are ISO 8601 with a zone or epoch seconds). A sidecar that is
not yet valid JSON is being written: the recording waits for the next scan.

Never twice: ingest is idempotent (content hash and PBX call id, `callqa.services.ingest`), so a restart
at any point cannot store a call twice; a receipt `NAME.callqa` (the call id) written after the commit
saves re-reading the file at the next scan. A recording that cannot be ingested gets `NAME.failed` with
the reason and is not retried until that file is removed. The PBX's files are never changed or deleted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callqa.services.ingest import (
    CallOrigin,
    DuplicateCallError,
    IngestError,
    SimultaneousDuplicateError,
    ingest_recording,
)
from models import session_scope
from transcription.audio import AUDIO_SUFFIXES
from transcription.exceptions import AudioError

RECEIPT = ".callqa"
FAILED = ".failed"


class SidecarError(ValueError):
    """A sidecar that parsed but says something impossible (the message names the key)."""


@dataclass
class ScanReport:
    """One pass over the folder: recordings ingested (path, call id), already stored ones found again,
    failures (path, reason), and recordings still waiting for the PBX to finish them."""

    ingested: list[tuple[Path, int]] = field(default_factory=list)
    already: list[tuple[Path, int]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    waiting: int = 0


@dataclass(frozen=True)
class Sidecar:
    origin: CallOrigin
    agent_id: int | None = None
    caller_number: str | None = None
    language: str | None = None


def _time(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise SidecarError(f"{key} must be epoch seconds or ISO 8601 with a zone, not {value!r}")


def parse_sidecar(data: Any) -> Sidecar:
    """The call a sidecar describes. SidecarError for a wrong type or value."""
    if not isinstance(data, dict):
        raise SidecarError("the sidecar must be a JSON object")

    def text(key: str, *aliases: str) -> str | None:
        value = next((data[k] for k in (key, *aliases) if data.get(k) not in (None, "")), None)
        if value is not None and not isinstance(value, str | int):
            raise SidecarError(f"{key} must be a string, not {value!r}")
        return None if value is None else str(value)

    agent_id = data.get("agent_id")
    if agent_id is not None and (not isinstance(agent_id, int) or isinstance(agent_id, bool) or agent_id < 1):
        raise SidecarError(f"agent_id must be a positive integer, not {agent_id!r}")
    direction = text("direction")
    if direction not in (None, "inbound", "outbound"):
        raise SidecarError(f"direction must be inbound or outbound, not {direction!r}")
    origin = CallOrigin(
        pbx_call_id=text("pbx_call_id", "uniqueid"),
        agent_extension=text("agent_extension"),
        started_at=_time(data.get("started_at"), "started_at"),
        ended_at=_time(data.get("ended_at"), "ended_at"),
        direction=direction,
    )
    return Sidecar(origin, agent_id, text("caller_number", "callerid"), text("language"))


def _sibling(recording: Path, suffix: str) -> Path:
    return recording.with_name(recording.stem + suffix)


def _finished(recording: Path) -> tuple[bool, Path | None]:
    """Whether the PBX finished `recording`, and its sidecar if it has one."""
    sidecar = _sibling(recording, ".json")
    if sidecar.is_file():
        return True, sidecar
    done = _sibling(recording, ".done").is_file() or recording.with_name(recording.name + ".done").is_file()
    return done, None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def scan_folder(
    factory: sessionmaker[Session],
    folder: Path,
    *,
    ingest: Callable[[Session, Path, Sidecar], int],
) -> ScanReport:
    """One pass: ingest every finished recording in `folder` (not below it) that has no receipt or
    failure file yet, each in its own transaction. `ingest(session, recording, sidecar)` stores one and
    returns its call id (DuplicateCallError when stored before)."""
    report = ScanReport()
    recordings = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    for recording in recordings:
        receipt, failure = _sibling(recording, RECEIPT), _sibling(recording, FAILED)
        if receipt.exists() or failure.exists():
            continue
        finished, sidecar_path = _finished(recording)
        if not finished:
            report.waiting += 1
            continue
        try:
            raw = json.loads(sidecar_path.read_text()) if sidecar_path is not None else {}
        except json.JSONDecodeError:
            report.waiting += 1  # the end command is still writing it
            continue
        try:
            sidecar = parse_sidecar(raw)
            with session_scope(factory) as session:
                call_id = ingest(session, recording, sidecar)
            report.ingested.append((recording, call_id))
        except DuplicateCallError as dup:
            call_id = dup.call_id
            report.already.append((recording, call_id))
        except SimultaneousDuplicateError:
            report.waiting += 1  # another watcher stored it this instant: the next pass finds its call
            continue
        except (SidecarError, IngestError, AudioError, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            _write_atomically(failure, reason + "\n")
            report.failed.append((recording, reason))
            continue
        _write_atomically(receipt, f"{call_id}\n")
    return report


def recording_ingester(
    *,
    recordings_dir: Path,
    default_agent_id: int | None,
    default_language: str,
    max_duration_s: float | None,
    caller_key: str | None = None,
) -> Callable[[Session, Path, Sidecar], int]:
    """The `ingest` step of `scan_folder` with the deployment's settings: the sidecar's agent (id or
    extension) or the routed call's, else `default_agent_id`."""

    def ingest(session: Session, recording: Path, sidecar: Sidecar) -> int:
        named = sidecar.agent_id is not None or sidecar.origin.agent_extension is not None
        linked = sidecar.origin.pbx_call_id is not None
        agent_id = (
            sidecar.agent_id
            if sidecar.agent_id is not None
            else (None if named or linked else default_agent_id)
        )
        call = ingest_recording(
            session,
            source=recording,
            recordings_dir=recordings_dir,
            agent_id=agent_id,
            original_filename=recording.name,
            caller_number=sidecar.caller_number,
            caller_key=caller_key,
            language=sidecar.language,
            default_language=default_language,
            max_duration_s=max_duration_s,
            origin=sidecar.origin,
        )
        if call.agent_id is None and default_agent_id is not None:
            call.agent_id = default_agent_id  # a PBX call id the hotline never routed
        return call.id

    return ingest
