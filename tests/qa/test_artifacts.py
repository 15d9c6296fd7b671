"""Artifacts are replaced atomically: a failed write leaves the old file and no temporary behind."""

from __future__ import annotations

import threading
from pathlib import Path

import joblib
import pytest

from qa.artifacts import save_artifact


def test_a_written_artifact_reads_back_and_its_folder_is_made(tmp_path: Path) -> None:
    path = tmp_path / "models" / "m.joblib"
    save_artifact({"version": 1, "weights": [0.5, 0.25]}, path)
    assert joblib.load(path) == {"version": 1, "weights": [0.5, 0.25]}


def test_a_failed_write_keeps_the_old_artifact_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    save_artifact({"version": 1}, path)
    with pytest.raises(TypeError):
        save_artifact({"version": 2, "lock": threading.Lock()}, path)  # a lock cannot be pickled
    assert joblib.load(path) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.joblib"]
