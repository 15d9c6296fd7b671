"""Ingesting recordings: validate the audio, store a server-named copy, create the call and queue its job.

Validation happens before anything is written, so a bad file leaves no call, no row and no stray file.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from callqa.services.jobs import enqueue
from callqa.services.storage import new_key
from models import Agent, Call, Recording
from transcription.audio import AUDIO_SUFFIXES, probe_call_audio
from transcription.exceptions import AudioError

# Files this session stored for rows it has not committed yet (see _forget_files / _discard_files).
_NEW_FILES = "callqa.services.ingest.new_files"
PROCESS_CALL = "process_call"


class IngestError(ValueError):
    """A recording or its metadata cannot be accepted; the message says why."""


class AgentNotFoundError(IngestError):
    pass


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
    language: str = "en",
    max_duration_s: float | None = None,
) -> Call:
    """Validate `source`, copy it into the recording store at `recordings_dir` (layout:
    `callqa.services.storage`) and create a queued call with its job.

    Raises IngestError (unknown agent, unsupported type) or transcription's AudioError subclasses
    (unreadable, empty, silent, too long: the length is read from the header, never by decoding all of it).
    Flushes; the caller commits. The stored copy lives and dies with the transaction: if it rolls back (a
    failed flush or commit, a locked database), the copy is deleted, so no file is left without its row.
    """
    suffix = Path(original_filename or source.name).suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise IngestError(
            f"unsupported file type {suffix or '(none)'!r}; expected one of {sorted(AUDIO_SUFFIXES)}"
        )
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
    call = Call(agent_id=agent_id, caller_number=caller_number, language=language, status="queued")
    call.recording = Recording(
        path=key,
        original_filename=display,
        format=audio.source_format,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        duration_s=audio.duration_s,
        size_bytes=stored.stat().st_size,
        sha256=sha256_of(stored),
    )
    session.add(call)
    session.flush()
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
