"""Labelled training files (tab-separated, first column the label, optional `label…` header line)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from qa.exceptions import ScriptError


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


def read_element_tsv(
    path: Path | None, packaged: str, clean: Callable[[str], str], *, none: str
) -> tuple[list[str], list[frozenset[str]], str]:
    """The script-element sentences of an `element[,element…]<TAB>text` file (see `read_tsv`): texts as
    `clean` makes them, the elements each says (`none`: it says none), the file's sha256. ScriptError names
    the line of a malformed row."""
    rows, digest, source = read_tsv(path, packaged)
    texts: list[str] = []
    elements: list[frozenset[str]] = []
    for lineno, row in rows:
        if len(row) != 2 or not row[0] or not row[1].strip():
            raise ScriptError(f"{source}:{lineno}: expected element[,element…]<TAB>text")
        texts.append(clean(row[1]))
        elements.append(frozenset(e.strip() for e in row[0].split(",")) - {none})
    return texts, elements, digest


def add_saying_none(texts: list[str], elements: list[frozenset[str]], others: Iterable[str]) -> None:
    """Append each of `others` not yet in `texts` as a sentence saying no element (in place)."""
    listed = set(texts)
    for text in others:
        if text not in listed:
            texts.append(text)
            elements.append(frozenset())
            listed.add(text)
