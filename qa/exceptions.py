"""QA errors (no HTTP codes; `api/errors.py` maps them)."""

from __future__ import annotations


class ScriptError(ValueError):
    """A script or phrase file is malformed; the message names the file and the problem."""


class StaleModelError(ScriptError):
    """A saved model does not match the data, embedding model or library it would now run with."""
