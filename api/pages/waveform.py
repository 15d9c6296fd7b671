"""The call page's waveform player: both legs' outline (computed here from the stored recording, so the
browser neither downloads the audio twice nor decodes it) and the spans the machine's verdicts rest on,
drawn by the vendored wavesurfer.js (api/static/vendor) over the page's own <audio> element.

wavesurfer.js styles its shadow DOM with one <style> element, which the pages' Content-Security-Policy
(style-src 'self') refuses; the call page allows that one element by a fresh nonce per response."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse

from api.middleware import PAGE_CSP
from callqa.services.storage import locate
from callqa.settings import Settings
from models import Call
from qa.analysis import CallAnalysis
from scoring.glossary import label
from transcription.exceptions import AudioError
from transcription.peaks import waveform_peaks

POINTS = 1200
"""Outline values per channel: about one per pixel of a wide screen."""


@dataclass(frozen=True)
class Marker:
    """A span of the call (seconds) a verdict rests on: evidence of a script part, a forbidden phrase or
    dead air, with the words shown on it."""

    start: float
    end: float
    kind: str
    text: str


def markers(analysis: CallAnalysis | None) -> list[dict[str, Any]]:
    """Every evidence span of `analysis`, in time order."""
    if analysis is None:
        return []
    found = [
        Marker(el.evidence.start, el.evidence.end, "evidence", f"{label(name)}: {label(el.name)}")
        for name, check in analysis.checks.items()
        for el in check.elements
        if el.evidence is not None
    ]
    found += [Marker(v.start, v.end, "violation", label(v.category)) for v in analysis.violations]
    found += [Marker(g.start, g.end, "dead_air", "Dead air") for g in analysis.dead_air]
    return [asdict(m) for m in sorted(found, key=lambda m: (m.start, m.end))]


def outline(call: Call, settings: Settings) -> dict[str, Any] | None:
    """The recording's outline ({"peaks": per channel, "duration": s, "legs": who each channel is}), or
    None without a readable one (the page then shows the plain player)."""
    if call.recording is None:
        return None
    path = locate(settings.recordings_dir, call.recording.path)
    try:
        stat = path.stat()
        peaks, duration = _cached_peaks(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, AudioError):
        return None
    if len(peaks) == 2:
        legs = ["agent", "caller"] if settings.agent_channel == 0 else ["caller", "agent"]
    else:
        legs = ["both legs"]
    return {"peaks": peaks, "duration": duration, "legs": legs}


@lru_cache(maxsize=64)
def _cached_peaks(path: Path, _mtime_ns: int, _size: int) -> tuple[list[list[float]], float]:
    # Keyed by the file's change time and size too: a recording rewritten (e.g. PII redaction) is re-read.
    return waveform_peaks(path, points=POINTS)


def style_nonce() -> str:
    return secrets.token_urlsafe(16)


def allow_player_style(response: HTMLResponse, nonce: str) -> HTMLResponse:
    """The pages' policy, with the player's one <style> element allowed by `nonce`."""
    response.headers["content-security-policy"] = PAGE_CSP.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response
