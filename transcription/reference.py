"""Transcripts given instead of audio: the dev-set turns format (JSON) and WebVTT with speaker voices.

Call centers that get transcripts from their PBX vendor analyse them directly, and the QA logic can be
measured apart from speech recognition. Accepted:
- JSON `{"language": "zh", "duration_s": 41.2, "turns": [{"speaker", "start", "end", "text"}]}`
  (`language` and `duration_s` optional);
- WebVTT whose cues carry a voice, `<v agent>…` or `<v caller>…` (read with webvtt-py).
Times are seconds. Each turn becomes a segment whose words are spread evenly over it, one word per
whitespace-separated word, or per character in Chinese (which has no spaces), so windows and phrase
times work as on a recogniser's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import webvtt

from transcription.exceptions import TranscriptFormatError
from transcription.recognizer import Segment, Speaker, Transcript, Word

ENGINE = "reference"
SPEAKERS: dict[str, Speaker] = {"agent": "agent", "caller": "caller"}
# A CJK character with the punctuation that follows it, or any other run without spaces.
_UNIT = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff][^\s\u3400-\u9fff\uf900-\ufaff\w]*|[^\s\u3400-\u9fff\uf900-\ufaff]+"
)


def read_transcript(path: Path, *, language: str | None = None) -> Transcript:
    """The transcript in `path` (.json turns or .vtt); `language` is used where the file names none
    (default "en"). Raises TranscriptFormatError naming the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptFormatError(f"{path}: cannot read ({exc})") from exc
    if path.suffix.lower() == ".vtt":
        turns, named = _vtt_turns(text, path), None
        duration = None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TranscriptFormatError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
            raise TranscriptFormatError(f'{path}: expected {{"turns": [{{speaker, start, end, text}}, …]}}')
        turns = [_turn(t, path, i) for i, t in enumerate(data["turns"])]
        named, duration = data.get("language"), data.get("duration_s")
    segments = tuple(sorted((_segment(*t) for t in turns if t[3].strip()), key=lambda s: s.start))
    end = max((s.end for s in segments), default=0.0)
    total = float(duration) if isinstance(duration, (int, float)) and duration >= end else end
    return Transcript(segments, total, ENGINE, str(named or language or "en"))


def _turn(raw: Any, path: Path, index: int) -> tuple[Speaker, float, float, str]:
    try:
        speaker = SPEAKERS[str(raw["speaker"]).lower()]
        start, end, text = float(raw["start"]), float(raw["end"]), str(raw["text"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TranscriptFormatError(
            f"{path}: turn {index + 1} needs speaker (agent|caller), start, end (s) and text ({exc})"
        ) from exc
    if not 0 <= start <= end:
        raise TranscriptFormatError(f"{path}: turn {index + 1} has start {start} and end {end}")
    return speaker, start, end, text


def _vtt_turns(text: str, path: Path) -> list[tuple[Speaker, float, float, str]]:
    try:
        captions = webvtt.from_string(text)
    except webvtt.errors.MalformedFileError as exc:
        raise TranscriptFormatError(f"{path}: not WebVTT ({exc})") from exc
    turns = []
    for index, cue in enumerate(captions.captions):
        voice = (cue.voice or "").strip().lower()
        if voice not in SPEAKERS:
            raise TranscriptFormatError(
                f"{path}: cue {index + 1} ({cue.start}) needs a voice <v agent> or <v caller>, "
                f"has {cue.voice!r}"
            )
        turns.append((SPEAKERS[voice], _seconds(cue.start), _seconds(cue.end), cue.text.replace("\n", " ")))
    return turns


def _seconds(stamp: str) -> float:
    """WebVTT "hh:mm:ss.ttt" or "mm:ss.ttt" in seconds."""
    parts = [float(p) for p in stamp.split(":")]
    return float(sum(value * 60**power for power, value in enumerate(reversed(parts))))


def _segment(speaker: Speaker, start: float, end: float, text: str) -> Segment:
    units = _UNIT.findall(text)
    step = (end - start) / max(1, len(units))
    words = tuple(Word(u, start + i * step, start + (i + 1) * step, 1.0) for i, u in enumerate(units))
    return Segment(speaker, start, end, text.strip(), words, 1.0)
