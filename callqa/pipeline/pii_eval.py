"""`callqa eval-pii`: redaction measured on labelled calls (`bench/pii_calls.py` writes them).

Per call: decode as the worker does, find and redact personal data, silence it in the audio, decode the
redacted audio again. An entity counts as caught only when none of its digits (and none of its other
secret words, e.g. an e-mail's names) is left in the redacted transcript on its leg around its time; a
redaction is right when it lies on labelled personal data. From the second decoding: how many of the
entities' digits a recogniser still hears in the redacted audio. The time redaction adds (finding,
redacting the transcript, silencing and writing the audio) is reported per call-minute.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import soundfile as sf

from callqa.pipeline.analyzer import CallAnalyzer
from qa.pii.redact import redact_transcript, silence_spans
from qa.pii.spans import PiiSpan
from qa.pii.spoken import atoms, compose, normalize, segment_words
from transcription.audio import load_call_audio
from transcription.recognizer import Transcript

WINDOW_TOL_S = 1.0
"""Seconds around a labelled entity's turns searched for what survived (recognisers' word times drift)."""


@dataclass(frozen=True)
class Entity:
    """A labelled entity: its type, leg, time intervals (s) and what must not survive."""

    call: str
    entity: str
    speaker: str
    intervals: tuple[tuple[float, float], ...]
    digits: str
    words: tuple[str, ...]

    def covers(self, speaker: str, start: float, end: float) -> bool:
        return speaker == self.speaker and any(
            start < b + WINDOW_TOL_S and end > a - WINDOW_TOL_S for a, b in self.intervals
        )


@dataclass
class EntityTally:
    total: int = 0
    caught: int = 0
    digits: int = 0
    heard_before: int = 0
    recovered: int = 0
    predicted: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    """Entities some of whose digits a recogniser still hears in the redacted audio (and how many)."""


@dataclass
class PiiReport:
    by_entity: dict[str, EntityTally]
    calls: int
    minutes: float
    redaction_s: float
    wrong: list[str]

    def figures(self) -> dict[str, Any]:
        """JSON-ready: per entity recall, precision (of redactions given that type), digits; overall."""
        per: dict[str, Any] = {}
        for name, t in sorted(self.by_entity.items()):
            per[name] = {
                "entities": t.total,
                "recall": round(t.caught / t.total, 3) if t.total else None,
                "redactions": t.predicted,
                "precision": round(t.right / t.predicted, 3) if t.predicted else None,
                "digits": t.digits,
                "digits_heard_in_original_audio": t.heard_before,
                "digits_recoverable_from_redacted_audio": t.recovered,
                "missed": t.missed,
                "heard_in_redacted_audio": t.leaks,
            }
        predicted = sum(t.predicted for t in self.by_entity.values())
        right = sum(t.right for t in self.by_entity.values())
        return {
            "calls": self.calls,
            "call_minutes": round(self.minutes, 2),
            "entities": per,
            "precision": round(right / predicted, 3) if predicted else None,
            "wrong_redactions": self.wrong,
            "redaction_s_per_call_minute": round(self.redaction_s / self.minutes, 3)
            if self.minutes
            else None,
        }


def labelled_entities(call: str, record: dict[str, Any]) -> list[Entity]:
    """The `pii` labels of one call (`bench/pii_calls.py` format) with their times from the turns."""
    turns = record["turns"]
    return [
        Entity(
            call=call,
            entity=e["entity"],
            speaker=e["speaker"],
            intervals=tuple((float(turns[i]["start"]), float(turns[i]["end"])) for i in e["turns"]),
            digits=str(e.get("digits", "")),
            words=tuple(str(w).lower() for w in e.get("words", ())),
        )
        for e in record["labels"].get("pii", [])
    ]


def left_in(transcript: Transcript, entity: Entity) -> tuple[str, set[str]]:
    """Digits and words of `entity`'s leg in `transcript` around its time."""
    texts = [
        w.text
        for seg in transcript.segments
        if seg.speaker == entity.speaker
        for w in segment_words(seg)
        if entity.covers(seg.speaker, w.start, w.end)
    ]
    digits = compose([a for t in texts for a in atoms(t)])
    return digits, {normalize(t) for t in texts}


def survived(transcript: Transcript, entity: Entity) -> bool:
    """Whether any digit or secret word of `entity` is left in `transcript` near it."""
    digits, words = left_in(transcript, entity)
    return bool(entity.digits and digits) or any(w in words for w in entity.words)


def evaluate_pii(
    analyzer: CallAnalyzer,
    directory: Path,
    *,
    transcripts: Path | None = None,
    audio: bool = True,
    on_call: Callable[[str], None] = lambda _: None,
) -> PiiReport:
    """Measure redaction on every `<id>.wav` + `<id>.json` in `directory` (see the module docstring).
    With `transcripts` (a folder), each call's first decoding is kept there as `<id>.transcript.json` and
    read back on the next run, and so is the decoding of its redacted audio, under a name made of the
    silenced spans: tuning detection re-decodes only the calls whose silences changed. Without `audio`
    the redacted audio is neither made nor decoded (its figures are 0)."""
    tallies: dict[str, EntityTally] = defaultdict(EntityTally)
    wrong: list[str] = []
    minutes = redaction_s = 0.0
    wavs = sorted(directory.glob("*.wav"))
    settings = analyzer.settings
    for wav in wavs:
        record = json.loads(wav.with_suffix(".json").read_text())
        labels = record["labels"]
        hints = [h for h in (labels.get("company"), labels.get("agent_name")) if h]
        entities = labelled_entities(wav.stem, record)
        original = _first_decoding(analyzer, wav, hints, transcripts)
        minutes += original.duration_s / 60
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            spans = analyzer.find_personal_data(original)
            redacted = redact_transcript(original, spans)
            silenced_audio = silence_spans(
                load_call_audio(wav),
                spans,
                agent_channel=settings.agent_channel,
                pad_s=settings.pii_audio_pad_s,
            )
            silenced = Path(tmp) / wav.name
            sf.write(silenced, silenced_audio.channels.T, silenced_audio.sample_rate, subtype="PCM_16")
            redaction_s += time.perf_counter() - started
            again = _redacted_decoding(analyzer, silenced, hints, transcripts, spans) if audio else None
        _tally(tallies, wrong, wav.stem, entities, spans, original, redacted, again)
        on_call(wav.stem)
    return PiiReport(
        by_entity=dict(tallies), calls=len(wavs), minutes=minutes, redaction_s=redaction_s, wrong=wrong
    )


def _first_decoding(
    analyzer: CallAnalyzer, wav: Path, hints: Sequence[str], transcripts: Path | None
) -> Transcript:
    kept = transcripts / f"{wav.stem}.transcript.json" if transcripts else None
    if kept is not None and kept.is_file():
        return Transcript.from_json(json.loads(kept.read_text()))
    transcript = analyzer.transcribe(wav, hints=hints)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(transcript.to_json()))
    return transcript


def _redacted_decoding(
    analyzer: CallAnalyzer,
    wav: Path,
    hints: Sequence[str],
    transcripts: Path | None,
    spans: Sequence[PiiSpan],
) -> Transcript:
    """The decoding of the redacted `wav`, kept in `transcripts` under the silences' digest (the same
    silences make the same audio)."""
    silences = json.dumps(
        [(s.speaker, round(s.start, 3), round(s.end, 3)) for s in spans]
        + [analyzer.settings.pii_audio_pad_s, analyzer.settings.agent_channel]
    )
    digest = hashlib.sha256(silences.encode()).hexdigest()[:16]
    kept = transcripts / f"{wav.stem}.redacted-{digest}.json" if transcripts else None
    if kept is not None and kept.is_file():
        return Transcript.from_json(json.loads(kept.read_text()))
    transcript = analyzer.transcribe(wav, hints=hints)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(transcript.to_json()))
    return transcript


def _tally(
    tallies: dict[str, EntityTally],
    wrong: list[str],
    call: str,
    entities: Sequence[Entity],
    spans: Iterable[PiiSpan],
    original: Transcript,
    redacted: Transcript,
    again: Transcript | None,
) -> None:
    for e in entities:
        t = tallies[e.entity]
        t.total += 1
        t.digits += len(e.digits)
        where = f"{call} {e.speaker} {e.intervals[0][0]:.1f}s"
        missed = survived(redacted, e)
        if missed:
            t.missed.append(where)
        else:
            t.caught += 1
        # a digit heard in the window counts, whichever it is: no credit for a recogniser mishearing it
        t.heard_before += min(len(e.digits), len(left_in(original, e)[0]))
        recovered = min(len(e.digits), len(left_in(again, e)[0])) if again is not None else 0
        t.recovered += recovered
        if recovered:
            t.leaks.append(
                f"{where}: {recovered} digit(s), {'missed' if missed else 'caught'} in the transcript"
            )
    for span in spans:
        t = tallies[span.entity]
        t.predicted += 1
        if any(e.covers(span.speaker, span.start, span.end) for e in entities):
            t.right += 1
        else:
            words = " ".join(
                w.text
                for seg in original.segments
                for w in segment_words(seg)
                if seg.speaker == span.speaker and span.start <= w.start and w.end <= span.end
            )
            wrong.append(f"{call} {span.speaker} {span.start:.1f}s {span.entity}: {words!r}")


def format_pii_report(figures: dict[str, Any]) -> str:
    """The report as a text table (per entity type) with the wrong redactions and the misses."""
    lines = [
        f"{figures['calls']} calls, {figures['call_minutes']} call-minutes; "
        f"redaction adds {figures['redaction_s_per_call_minute']} s per call-minute",
        f"{'entity':<15}{'n':>4}{'recall':>8}{'redacted':>10}{'precision':>11}{'digits':>8}"
        f"{'heard':>7}{'in redacted audio':>19}",
    ]
    for name, f in figures["entities"].items():
        recall = "-" if f["recall"] is None else f"{f['recall']:.3f}"
        precision = "-" if f["precision"] is None else f"{f['precision']:.3f}"
        lines.append(
            f"{name:<15}{f['entities']:>4}{recall:>8}{f['redactions']:>10}{precision:>11}{f['digits']:>8}"
            f"{f['digits_heard_in_original_audio']:>7}{f['digits_recoverable_from_redacted_audio']:>19}"
        )
    lines.append(f"precision over all redactions: {figures['precision']}")
    for name, f in figures["entities"].items():
        lines.extend(f"  missed {name}: {m}" for m in f["missed"])
    for name, f in figures["entities"].items():
        lines.extend(f"  heard in redacted audio, {name}: {m}" for m in f["heard_in_redacted_audio"])
    lines.extend(f"  wrong: {w}" for w in figures["wrong_redactions"])
    return "\n".join(lines)
