"""Ingesting recordings: validate the audio, store a server-named copy, create the call and queue its job.

Validation happens before anything is written, so a bad file leaves no call, no row and no stray file.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callqa.services.jobs import enqueue
from callqa.services.pii_caller import caller_pseudonym
from callqa.services.storage import new_key
from models import Agent, Call, Recording
from qa.script import packaged_languages
from routing.service import find_hotline_call
from transcription.audio import AUDIO_SUFFIXES, probe_call_audio
from transcription.exceptions import AudioError

# Files this session stored for rows it has not committed yet (see _forget_files / _discard_files).
_NEW_FILES = "callqa.services.ingest.new_files"
PROCESS_CALL = "process_call"


class IngestError(ValueError):
    """A recording or its metadata cannot be accepted; the message says why."""


class AgentNotFoundError(IngestError):
    pass


class UnknownLanguageError(IngestError):
    """The call's language has no packaged script to judge it by."""


class DuplicateCallError(IngestError):
    """The recording (same content) or its PBX call id is already stored as call `call_id`."""

    def __init__(self, message: str, call_id: int) -> None:
        super().__init__(message)
        self.call_id = call_id


class SimultaneousDuplicateError(IngestError):
    """The same recording (or PBX call id) was committed by another ingest between this one's check and
    its write; the database's unique index refused this copy. The session must roll back (the stored file
    goes with it); ingesting again answers DuplicateCallError with the stored call."""


@dataclass(frozen=True)
class CallOrigin:
    """What the telephone system says about a recording: its call id (links it to the routed hotline
    call, whose agent and times are used where not given), the agent's extension, times and direction."""

    pbx_call_id: str | None = None
    agent_extension: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    direction: str | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def safe_display_name(filename: str | None) -> str | None:
    """The client's file name reduced to a harmless display string (never used as a path)."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in "<>\"'`")
    return cleaned[:200] or None


def ingest_recording(
    session: Session,
    *,
    source: Path,
    recordings_dir: Path,
    agent_id: int | None,
    original_filename: str | None = None,
    caller_number: str | None = None,
    caller_key: str | None = None,
    language: str | None = None,
    default_language: str = "en",
    max_duration_s: float | None = None,
    origin: CallOrigin | None = None,
) -> Call:
    """Validate `source`, copy it into the recording store at `recordings_dir` (layout:
    `callqa.services.storage`) and create a queued call with its job.

    `origin` (from the PBX) links the call to its routed hotline call by PBX call id and gives its agent
    (or the agent's extension), times and direction. The call is judged in `language` when given (one
    with a packaged script, else IngestError), else in the routed hotline call's language, else in
    `default_language` (the deployment's). The caller's number (given, or the routed call's) is kept
    only as its pseudonym under `caller_key` (`callqa.services.pii_caller`), not at all without a key.
    Ingest is idempotent: DuplicateCallError (naming the
    stored call) when the same content or the same PBX call id was ingested before.
    Raises IngestError (unknown agent or language, unsupported type) or transcription's AudioError subclasses
    (unreadable, empty, silent, too long: the length is read from the header, never by decoding all of it).
    Flushes; the caller commits. The stored copy lives and dies with the transaction: if it rolls back (a
    failed flush or commit, a locked database), the copy is deleted, so no file is left without its row.
    """
    suffix = Path(original_filename or source.name).suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise IngestError(
            f"unsupported file type {suffix or '(none)'!r}; expected one of {sorted(AUDIO_SUFFIXES)}"
        )
    if language is not None and language not in packaged_languages():
        known = ", ".join(packaged_languages())
        raise UnknownLanguageError(f"no call script for language {language!r}; known: {known}")
    origin = origin or CallOrigin()
    if origin.direction not in (None, "inbound", "outbound"):
        raise IngestError(f"direction must be inbound or outbound, not {origin.direction!r}")
    if origin.pbx_call_id is not None:
        known = session.scalar(select(Call.id).where(Call.pbx_call_id == origin.pbx_call_id))
        if known is not None:
            raise DuplicateCallError(f"PBX call {origin.pbx_call_id!r} is already call {known}", known)
    digest = sha256_of(source)
    same = session.scalar(select(Recording.call_id).where(Recording.sha256 == digest).limit(1))
    if same is not None:
        raise DuplicateCallError(f"the same recording is already call {same}", same)
    routed = find_hotline_call(session, origin.pbx_call_id) if origin.pbx_call_id else None
    if agent_id is None and origin.agent_extension is not None:
        agent_id = session.scalar(select(Agent.id).where(Agent.extension == origin.agent_extension))
        if agent_id is None:
            raise AgentNotFoundError(f"no agent has the extension {origin.agent_extension!r}")
    if agent_id is None and routed is not None:
        agent_id = routed.agent_id
    if agent_id is not None and session.get(Agent, agent_id) is None:
        raise AgentNotFoundError(f"agent {agent_id} does not exist")
    display = safe_display_name(original_filename or source.name) or "recording"
    try:
        audio = probe_call_audio(source, max_duration_s=max_duration_s)
    except AudioError as exc:
        # Uploads are decoded from a temporary file: report the name the user knows.
        raise type(exc)(str(exc).replace(source.name, display)) from exc

    key = new_key(suffix)
    stored = recordings_dir / key
    stored.parent.mkdir(parents=True, exist_ok=True)
    session.info.setdefault(_NEW_FILES, []).append(stored)
    shutil.copyfile(source, stored)
    started = origin.started_at or (routed.answered_at or routed.arrived_at if routed else None)
    call = Call(
        agent_id=agent_id,
        caller_number=caller_pseudonym(
            caller_number or (routed.caller_number if routed else None), caller_key
        ),
        language=language or (routed.language if routed else None) or default_language,
        status="queued",
        pbx_call_id=origin.pbx_call_id,
        direction=origin.direction or ("inbound" if routed else None),
        hotline_call_id=routed.id if routed else None,
        ended_at=origin.ended_at or (routed.ended_at if routed else None),
        **({"started_at": started} if started else {}),
    )
    call.recording = Recording(
        path=key,
        original_filename=display,
        format=audio.source_format,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        duration_s=audio.duration_s,
        size_bytes=stored.stat().st_size,
        sha256=digest,
    )
    session.add(call)
    try:
        session.flush()
    except IntegrityError as exc:
        refused_by = str(exc.orig)
        if "sha256" not in refused_by and "pbx_call_id" not in refused_by:
            raise
        what = "recording" if "sha256" in refused_by else f"PBX call {origin.pbx_call_id!r}"
        raise SimultaneousDuplicateError(
            f"the same {what} was stored by a simultaneous upload a moment ago; send it again to get the "
            "stored call"
        ) from exc
    enqueue(session, kind=PROCESS_CALL, call_id=call.id)
    return call


@event.listens_for(Session, "after_commit")
def _forget_files(session: Session) -> None:
    """Committed: the stored copies now belong to their rows."""
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _discard_files(session: Session) -> None:
    """Rolled back: the rows are gone, so are their stored copies."""
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)
