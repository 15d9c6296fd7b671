"""The recording store: where ingest writes recordings and every server and worker reads them.

Layout under the root (`CALLQA_STORAGE_DIR`, default `data_dir/recordings`):
`<YYYY>/<MM>/<DD>/<32 hex digits>.<ext>` — the UTC ingest date, then a random server-chosen name (never
a client's). The database keeps that path relative to the root (`recordings.path`), so each machine may
mount a shared store wherever it likes; rows from before relative paths hold absolute paths and are read
as they are. A recording is written once under a new name and then only read, until its call is deleted:
a plain file copy (rsync) of the root is a consistent backup, taken after the database's.
"""

from __future__ import annotations

import socket
import uuid
from datetime import datetime
from pathlib import Path

from models import utcnow


class RecordingUnreadable(RuntimeError):
    """This machine cannot read a stored recording (missing, no permission, store not mounted); the
    message names the file, the machine and the cause."""


def new_key(suffix: str, *, now: datetime | None = None) -> str:
    """A fresh relative path for a recording with file extension `suffix` (".wav")."""
    day = (now or utcnow()).strftime("%Y/%m/%d")
    return f"{day}/{uuid.uuid4().hex}{suffix}"


def locate(root: Path, stored: str) -> Path:
    """The file of a recording whose `recordings.path` is `stored`, in the store at `root`."""
    path = Path(stored)
    return path if path.is_absolute() else root / path


def readable(root: Path, stored: str) -> Path:
    """`locate`, after checking that this process can open the file for reading.

    Raises RecordingUnreadable naming the file, this host and the operating system's reason.
    """
    path = locate(root, stored)
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise RecordingUnreadable(
            f"recording {stored} is not readable on {socket.gethostname()} under {root}: "
            f"{exc.strerror or type(exc).__name__}"
        ) from exc
    return path
