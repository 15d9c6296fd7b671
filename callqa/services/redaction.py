"""Storing a processed call under the personal-data policy: the recording the player serves becomes the
redacted one (spans silenced), and under 'redacted_and_original' the unredacted transcript and recording
are kept apart (admins only). Files follow the transaction: a new file is deleted if it rolls back, a
replaced one only once it commits, so a failure never leaves a row without its file."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import soundfile as sf
from sqlalchemy import event
from sqlalchemy.orm import Session

from callqa.services.storage import locate, new_key
from callqa.settings import ORIGINALS_FOLDER, Settings
from models import Call
from qa.pii.redact import silence_spans
from qa.pii.service import store_original
from qa.pii.spans import PiiSpan
from transcription.audio import load_call_audio
from transcription.recognizer import Transcript

_NEW_FILES = "callqa.services.redaction.new_files"
_OLD_FILES = "callqa.services.redaction.old_files"


def store_redacted_call(
    session: Session,
    call: Call,
    *,
    spans: Sequence[PiiSpan],
    original: Transcript | None,
    settings: Settings,
    agent_channel: int | None = None,
) -> None:
    """Replace `call`'s stored recording by a WAV with `spans` silenced (same rate and channels); keep
    `original` (given only under the policy that keeps originals) and a copy of the unredacted recording.
    The recording's `sha256` stays that of the content as received (duplicate detection keys on it).
    Nothing changes for a call without personal data. Flushes."""
    recording = call.recording
    if recording is None or not spans:
        return
    source = locate(settings.recordings_dir, recording.path)
    if original is not None:
        # in the store, relative to its root like the recording (a shared store may be mounted anywhere)
        kept = f"{ORIGINALS_FOLDER}/{new_key(source.suffix)}"
        copy = locate(settings.recordings_dir, kept)
        copy.parent.mkdir(parents=True, exist_ok=True)
        session.info.setdefault(_NEW_FILES, []).append(copy)
        shutil.copyfile(source, copy)
        store_original(session, call_id=call.id, transcript=original, recording_path=kept)
    channel = settings.agent_channel if agent_channel is None else agent_channel
    audio = silence_spans(
        load_call_audio(source, max_duration_s=settings.max_duration_s),
        spans,
        agent_channel=channel,
        pad_s=settings.pii_audio_pad_s,
    )
    # Beside the unredacted file, named as the store names files (relative to it, as that path was).
    stored = str(Path(recording.path).with_name(f"{uuid.uuid4().hex}.wav"))
    redacted = locate(settings.recordings_dir, stored)
    session.info.setdefault(_NEW_FILES, []).append(redacted)
    sf.write(redacted, audio.channels.T, audio.sample_rate, subtype="PCM_16")
    delete_on_commit(session, source)
    recording.path = stored
    recording.format = "wav"
    recording.size_bytes = redacted.stat().st_size
    # `sha256` stays the received content's: duplicate detection must recognise the same original
    # uploaded again, and the redacted file is never what a PBX or a user sends.
    session.flush()


def delete_on_commit(session: Session, path: Path) -> None:
    """Delete `path` once `session` commits (kept if it rolls back: the rows still point to it)."""
    session.info.setdefault(_OLD_FILES, []).append(path)


@event.listens_for(Session, "after_commit")
def _commit_files(session: Session) -> None:
    """Committed: new files belong to their rows; the unredacted recordings they replace go."""
    session.info.pop(_NEW_FILES, None)
    for path in session.info.pop(_OLD_FILES, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _discard_files(session: Session) -> None:
    """Rolled back: the rows still point to the files they had; the new ones go."""
    session.info.pop(_OLD_FILES, None)
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)
