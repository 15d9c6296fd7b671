"""Retention: recordings, transcripts and kept originals of calls older than a number of days are deleted,
and so are the supervisors' wall alerts raised that long ago (they quote the words heard); the call rows,
their QA verdicts (evidence is redacted text), scores, reviews and so every aggregate stay. Each purge
leaves one audit record saying what it removed. Files go only once the purge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from callqa.services.redaction import delete_on_commit
from callqa.services.storage import locate
from models import AuditEvent, Call, LiveAlert, PiiOriginal, Recording, TranscriptSegment
from qa.pii.service import record_audit

PURGE_ACTION = "purge"


@dataclass(frozen=True)
class PurgeReport:
    """What one purge removed: calls touched (ids), recordings, transcript segments, originals, and live
    alerts."""

    cutoff: datetime
    call_ids: tuple[int, ...]
    recordings: int
    segments: int
    originals: int
    alerts: int

    def summary(self) -> str:
        return (
            f"purged {len(self.call_ids)} call(s) started before {self.cutoff:%Y-%m-%d %H:%M} UTC: "
            f"{self.recordings} recording(s), {self.segments} transcript segment(s), "
            f"{self.originals} original(s); {self.alerts} live alert(s) raised before then"
        )


def purge_if_due(
    session: Session,
    *,
    days: float,
    now: datetime,
    recordings_dir: Path,
    every: timedelta = timedelta(days=1),
) -> PurgeReport | None:
    """`purge_older_than` by the system when the last purge (by anyone) is `every` or longer ago (or
    none ran yet); None when not due. Any number of workers may call it: the audit record of a purge
    is what the others see."""
    last = session.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.action == PURGE_ACTION))
    if last is not None and now - last < every:
        return None
    return purge_older_than(session, days=days, now=now, recordings_dir=recordings_dir)


def purge_older_than(
    session: Session, *, days: float, now: datetime, recordings_dir: Path, username: str | None = None
) -> PurgeReport:
    """Delete the recordings (rows now, files at commit; stored in the recording store at
    `recordings_dir`), transcript segments and originals of calls that started more than `days` days
    before `now`, and the live alerts raised before then (acknowledged or not), and record what went
    (`AuditEvent` 'purge', by `username` or the system). Calls with nothing left to delete are not counted.
    Flushes only."""
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    cutoff = now - timedelta(days=days)
    has_data = or_(
        Call.recording.has(),
        Call.segments.any(),
        Call.id.in_(select(PiiOriginal.call_id)),
    )
    call_ids = tuple(
        session.scalars(select(Call.id).where(Call.started_at < cutoff, has_data).order_by(Call.id))
    )
    recordings = session.scalars(select(Recording).where(Recording.call_id.in_(call_ids))).all()
    originals = session.scalars(select(PiiOriginal).where(PiiOriginal.call_id.in_(call_ids))).all()
    for path in [locate(recordings_dir, r.path) for r in recordings] + [
        locate(recordings_dir, o.recording_path) for o in originals if o.recording_path
    ]:
        delete_on_commit(session, path)
    of_calls = TranscriptSegment.call_id.in_(call_ids)
    segments = session.scalar(select(func.count()).select_from(TranscriptSegment).where(of_calls)) or 0
    session.execute(delete(TranscriptSegment).where(of_calls))
    for row in (*recordings, *originals):
        session.delete(row)
    old_alerts = LiveAlert.raised_at < cutoff
    alerts = session.scalar(select(func.count()).select_from(LiveAlert).where(old_alerts)) or 0
    session.execute(delete(LiveAlert).where(old_alerts))
    report = PurgeReport(
        cutoff=cutoff,
        call_ids=call_ids,
        recordings=len(recordings),
        segments=segments,
        originals=len(originals),
        alerts=alerts,
    )
    record_audit(
        session,
        action=PURGE_ACTION,
        username=username,
        at=now,
        detail={
            "older_than_days": days,
            "cutoff": cutoff.isoformat(),
            "call_ids": list(call_ids),
            "recordings": report.recordings,
            "transcript_segments": report.segments,
            "originals": report.originals,
            "live_alerts": report.alerts,
        },
    )
    session.flush()
    return report
