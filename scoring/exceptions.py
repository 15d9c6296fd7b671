"""Scoring errors (no HTTP codes: `api/errors.py` maps each type to a status once)."""

from __future__ import annotations


class ScorecardError(ValueError):
    """A scorecard is malformed; the message names the file and the problem."""


class ReviewError(ValueError):
    """A review or dispute request that is invalid in itself (unknown item, no reason given)."""


class ReviewStateError(ReviewError):
    """A workflow step that does not fit the current state (not scored yet, already disputed or resolved)."""
