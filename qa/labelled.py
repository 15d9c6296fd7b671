"""Labelled training files (tab-separated, first column the label, optional `label…` header line)."""

from __future__ import annotations

import csv
import hashlib
from importlib import resources
from pathlib import Path


def read_tsv(path: Path | None, packaged: str) -> tuple[list[tuple[int, list[str]]], str, str]:
    """(line number, fields) of each data row, the file's sha256 (the trained model's version) and its
    name for error messages; `path` None reads the packaged `qa/data/<packaged>`."""
    raw = resources.files("qa").joinpath("data", packaged).read_bytes() if path is None else path.read_bytes()
    rows = [
        (lineno, row)
        for lineno, row in enumerate(csv.reader(raw.decode("utf-8").splitlines(), delimiter="\t"), 1)
        if not (lineno == 1 and row[:1] == ["label"])
    ]
    return rows, hashlib.sha256(raw).hexdigest(), str(path or packaged)
