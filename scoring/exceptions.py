"""Scoring errors (no HTTP codes)."""

from __future__ import annotations


class ScorecardError(ValueError):
    """A scorecard is malformed; the message names the file and the problem."""
