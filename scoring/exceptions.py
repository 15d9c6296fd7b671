"""Scoring errors (no HTTP codes: `api/errors.py` maps each type to a status once)."""

from __future__ import annotations

from collections.abc import Sequence


class ScorecardError(ValueError):
    """A scorecard is malformed; the message names the file and the problems, `problems` lists each one
    (a sentence a person can act on)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class ScorecardStateError(ScorecardError):
    """A scorecard change that does not fit the versions' state (a published version edited, a draft
    already published or replaced meanwhile)."""


class ReviewError(ValueError):
    """A review or dispute request that is invalid in itself (unknown item, no reason given)."""


class ReviewStateError(ReviewError):
    """A workflow step that does not fit the current state (not scored yet, already disputed or resolved)."""
