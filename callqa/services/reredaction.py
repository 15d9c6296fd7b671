"""Redacting stored calls again after the redactor improved (`callqa redact --since`): the personal data the
current redactor finds in a stored (already redacted) transcript leaves the transcript, the recording the
player serves, the verdicts' evidence and the complaint evidence, as it would have had it been found when
the call was processed; and it leaves the evidence of the live calls' stored alerts. Scores are not touched
(`callqa rescore` re-judges).

Idempotent: what is already redacted reads as `[TOKEN]` words, which the redactor does not find again, so a
second run changes nothing. Functions flush; the caller commits (one call per transaction).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.live_alerts import EVIDENCE_SPEAKER, alerts_raised_since
from callqa.services.redaction import store_redacted_call
from callqa.services.storage import RecordingUnreadable, readable
from models import Call, ComplaintReading, QAResult
from qa.pii.redact import redact_transcript, redact_utterance
from qa.pii.service import find_original, record_audit
from qa.pii.spans import PiiSpan
from qa.pii.spoken import segment_words
from transcription.recognizer import Transcript
from transcription.service import load_transcript, store_transcript

REDACT_ACTION = "pii.redact_again"
"""The audit action of one call redacted again (what was found, never the words)."""
REDACT_ALERTS_ACTION = "pii.redact_live_alerts"
"""The audit action of live alerts' evidence redacted again (how many, never the words)."""


@dataclass(frozen=True)
class Redacted:
    """What redacting one stored call again did: `spans` found (0: nothing new), whether its recording
    was silenced too (False when there was nothing to silence or the file is not readable here)."""

    spans: int
    audio: bool


def redact_stored_call(session: Session, call: Call, analyzer: CallAnalyzer) -> Redacted:
    """Find personal data in `call`'s stored transcript with `analyzer`'s redactor (the one for the call's
    language) and redact what it finds: transcript, recording (when readable here), QA evidence, complaint
    evidence; under the policy that keeps originals, the transcript as it was is kept as the original when
    none was. Records an audit event when something was found. Flushes only."""
    duration_s = call.recording.duration_s if call.recording is not None else 0.0
    transcript = load_transcript(session, call_id=call.id, duration_s=duration_s, language=call.language)
    spans = analyzer.find_personal_data(transcript)
    if not spans:
        return Redacted(spans=0, audio=False)
    store_transcript(session, call_id=call.id, transcript=redact_transcript(transcript, spans))
    words = _said_words(transcript, spans)
    qa = session.scalar(select(QAResult).where(QAResult.call_id == call.id))
    if qa is not None:
        qa.analysis = _redacted(qa.analysis, words)
    complaint = session.get(ComplaintReading, call.id)
    if complaint is not None:
        complaint.evidence = _redacted(complaint.evidence, words)
    settings = analyzer.settings
    keep = settings.pii_policy == "redacted_and_original" and find_original(session, call.id) is None
    audio = _readable(call, analyzer)
    if audio:
        store_redacted_call(
            session, call, spans=spans, original=transcript if keep else None, settings=settings
        )
    record_audit(
        session,
        action=REDACT_ACTION,
        call_id=call.id,
        detail={"entities": sorted({s.entity for s in spans}), "spans": len(spans), "audio": audio},
    )
    session.flush()
    return Redacted(spans=len(spans), audio=audio)


def redact_stored_alerts(session: Session, since: datetime, analyzers: Sequence[CallAnalyzer]) -> int:
    """Redact the evidence of the live alerts raised since `since` with each of `analyzers`' redactors in
    turn (an alert does not record its call's language: the deployment's languages are tried; what one
    redacts the next does not find again). Records one audit event when something changed. Returns how
    many alerts changed. Flushes only."""
    changed = 0
    for alert in alerts_raised_since(session, since):
        speaker = EVIDENCE_SPEAKER.get(alert.kind, "caller")
        evidence = alert.evidence
        for analyzer in analyzers:
            evidence = redact_utterance(evidence, speaker, analyzer.find_personal_data)
        if evidence != alert.evidence:
            alert.evidence = evidence
            changed += 1
    if changed:
        record_audit(
            session, action=REDACT_ALERTS_ACTION, detail={"alerts": changed, "since": since.isoformat()}
        )
    session.flush()
    return changed


def _readable(call: Call, analyzer: CallAnalyzer) -> bool:
    if call.recording is None:
        return False
    try:
        readable(analyzer.settings.recordings_dir, call.recording.path)
    except RecordingUnreadable:
        return False
    return True


def _said_words(transcript: Transcript, spans: Sequence[PiiSpan]) -> dict[str, str]:
    """Each word of the spans as said (lower case) → the token that replaces it."""
    words = {i: segment_words(seg) for i, seg in enumerate(transcript.segments)}
    return {words[i][j].text.lower(): f"[{span.token}]" for span in spans for i, j in span.words}


def _redacted(value: Any, words: dict[str, str]) -> Any:
    """`value` (stored JSON) with every string's words found in `words` replaced by their token: evidence
    quotes the transcript's words, sometimes re-spaced or re-cased, so words are matched one by one."""
    if isinstance(value, str):
        return _redact_text(value, words)
    if isinstance(value, list):
        return [_redacted(v, words) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, words) for k, v in value.items()}
    return value


def _redact_text(text: str, words: dict[str, str]) -> str:
    for word, token in words.items():
        if word.isascii():  # whole words only: "4532" must not eat "45321", nor "al" "also"
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", token, text, flags=re.IGNORECASE)
        else:  # scripts without spaces between words (Chinese): the characters as they stand
            text = text.replace(word, token)
    return text
