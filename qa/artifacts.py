"""Writing a trained model's artifact: one joblib file, replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import joblib


def save_artifact(state: dict[str, Any], path: Path) -> None:
    """Write `state` to `path` with joblib atomically: a worker starting while `callqa train …` writes
    reads the old file or the new one, never half of one. Makes the folder when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        joblib.dump(state, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
