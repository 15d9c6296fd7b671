"""Inline SVG charts for the pages (no script, no external library, so they render offline)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from qa.sentiment import UtteranceSentiment


def sentiment_svg(utterances: Sequence[UtteranceSentiment], duration: float) -> str:
    """The caller's sentiment over the call: one point per utterance (neg −1, neu 0, pos +1).

    `utterances` carry `start` (seconds from the call start) and `label`; `duration` is in seconds.
    """
    width, height, pad = 520, 120, 20
    value = {"neg": -1, "neu": 0, "pos": 1}
    points = [
        (
            pad + (u.start / max(duration, 1e-6)) * (width - 2 * pad),
            height / 2 - value.get(u.label, 0) * (height / 2 - pad),
            u.label,
        )
        for u in utterances
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="{label}"><title>{label}</title></circle>'
        for x, y, label in points
    )
    return (
        f'<svg class="chart" id="sentiment" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" '
        f'aria-label="caller sentiment over the call">'
        f'<text x="2" y="{pad}" font-size="10">pos</text>'
        f'<text x="2" y="{height - 6}" font-size="10">neg</text>'
        f'<line x1="{pad}" y1="{height / 2}" x2="{width - pad}" y2="{height / 2}" stroke="#ccd"/>'
        f'<text x="{pad}" y="{height - 2}" font-size="10">0 s</text>'
        f'<text x="{width / 2}" y="{height - 2}" font-size="10" text-anchor="middle">'
        f"{duration / 2:.0f} s</text>"
        f'<text x="{width - pad}" y="{height - 2}" font-size="10" text-anchor="end">{duration:.0f} s</text>'
        f'<polyline points="{line}" fill="none" stroke="#1d4ea8" stroke-width="2"/>{dots}</svg>'
    )


def trend_svg(series: Sequence[tuple[datetime, float]]) -> str:
    """Call scores (0–100) over time as a line, oldest first."""
    width, height, pad = 640, 160, 24
    if not series:
        return '<p id="trend">No scored calls yet.</p>'
    t0, t1 = series[0][0].timestamp(), series[-1][0].timestamp()
    span = max(t1 - t0, 1.0)
    pts = [
        (
            pad + (at.timestamp() - t0) / span * (width - 2 * pad),
            height - pad - total / 100 * (height - 2 * pad),
        )
        for at, total in series
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in pts)
    return (
        f'<svg class="chart" id="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" '
        f'aria-label="score trend"><text x="2" y="{pad}" font-size="10">100</text>'
        f'<text x="2" y="{height - pad}" font-size="10">0</text>'
        f'<text x="{pad}" y="{height - 4}" font-size="10">{series[0][0]:%Y-%m-%d}</text>'
        f'<text x="{width - pad}" y="{height - 4}" font-size="10" text-anchor="end">'
        f"{series[-1][0]:%Y-%m-%d}</text>"
        f'<polyline points="{line}" fill="none" stroke="#1d4ea8" stroke-width="2"/>{dots}</svg>'
    )
