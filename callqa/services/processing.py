"""Job handlers that run the pipeline for stored calls and persist the results."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.analyzers import AnalyzersByLanguage
from callqa.services.complaints import read_complaints
from callqa.services.ingest import PROCESS_CALL
from callqa.services.jobs import agent_first_name, agent_work_number
from callqa.services.metrics import DECODE_RTF
from callqa.services.periodic import periodic_tasks
from callqa.services.redaction import store_redacted_call
from callqa.services.storage import RecordingUnreadable, readable
from callqa.services.worker import Worker
from callqa.settings import Settings
from models import Call, Job
from qa.analysis import CallAnalysis
from qa.script import Script, packaged_languages
from qa.service import store_qa_result
from scoring.review import FlagSeverity, flag_call
from scoring.scorecard import CallScore, Scorecard, load_scorecard
from scoring.service import store_call_score
from scoring.versions import current_scorecard
from transcription.service import load_transcript, store_transcript

log = logging.getLogger("callqa.services.processing")


def process_call(session: Session, call: Call, analyzer: CallAnalyzer) -> None:
    """Transcribe, check and score `call` with `analyzer` (the one for the call's language:
    `AnalyzersByLanguage.for_language(call.language)`) on the active version of its scorecard (read once,
    before decoding: a version published meanwhile scores the next call), replacing any earlier results.
    Flushes only. Raises `callqa.services.storage.RecordingUnreadable` when this machine cannot read the
    recording."""
    if call.recording is None:
        raise LookupError(f"call {call.id} has no recording")
    audio = readable(analyzer.settings.recordings_dir, call.recording.path)
    started = time.perf_counter()
    result = analyzer.analyze_file(
        audio,
        agent_name=agent_first_name(session, call.agent_id),
        agent_number=agent_work_number(session, call.agent_id),
        scorecard=current_scorecard(session, analyzer.scorecard),
    )
    if result.transcript.duration_s > 0:
        DECODE_RTF.observe((time.perf_counter() - started) / result.transcript.duration_s)
    store_transcript(session, call_id=call.id, transcript=result.transcript)
    read_complaints(session, call, result.transcript)
    store_redacted_call(session, call, spans=result.pii, original=result.original, settings=analyzer.settings)
    _store_verdicts(session, call.id, result.analysis, result.score, result.script, result.transcript.engine)
    s = analyzer.settings
    flag_call(
        session,
        call,
        weights=flag_severity(s),
        sample_per_week=s.review_sample_per_week,
        sample_rate=s.review_sample_rate,
    )


@dataclass(frozen=True)
class Rescored:
    """What re-judging one stored call did."""

    total: float
    """The new score, 0-100."""
    with_audio: bool
    """Judged with its recording as the worker judges (audio cues, second readings where in doubt)."""
    unverified: tuple[str, ...] = ()
    """Checks that did not pass with certainty and that a second reading would have heard again, had the
    recording been there (empty when judged with the audio or when second readings are off)."""


def rescore_call(session: Session, call: Call, analyzer: CallAnalyzer) -> Rescored:
    """Re-run QA and scoring on the stored (redacted) transcript, without decoding the call again, with the
    active version of the scorecard. When this machine can read the recording, everything after the first
    decoding runs on it as in `process_call` (audio cues, a second reading of each doubtful check); without
    it (deleted, store not mounted) the verdicts come from the transcript alone and `Rescored.unverified`
    names the checks nobody could hear again. Flushes only. Raises LookupError when the call's transcript
    is gone (purged)."""
    duration_s = call.recording.duration_s if call.recording is not None else 0.0
    transcript = load_transcript(session, call_id=call.id, duration_s=duration_s, language=call.language)
    if not transcript.segments:
        raise LookupError(f"call {call.id} has no stored transcript (purged or never transcribed)")
    agent_name = agent_first_name(session, call.agent_id)
    agent_number = agent_work_number(session, call.agent_id)
    scorecard = current_scorecard(session, analyzer.scorecard)
    audio = _readable_recording(call, analyzer.settings)
    unverified: tuple[str, ...] = ()
    if audio is not None:
        result = analyzer.analyze_file(
            audio,
            agent_name=agent_name,
            agent_number=agent_number,
            transcript=transcript,
            scorecard=scorecard,
        )
        analysis, score, script = result.analysis, result.score, result.script
    else:
        analysis, score, script = analyzer.analyze_transcript(
            transcript, agent_name=agent_name, agent_number=agent_number, scorecard=scorecard
        )
        if analyzer.settings.second_opinion:
            unverified = tuple(
                name
                for name, check in analysis.checks.items()
                if check.state != "pass" and name in script.checks
            )
    _store_verdicts(session, call.id, analysis, score, script, transcript.engine)
    read_complaints(session, call, transcript)
    # re-scoring may raise new flags; it never re-samples
    flag_call(session, call, weights=flag_severity(analyzer.settings), sample_per_week=0, sample_rate=0.0)
    return Rescored(total=score.total, with_audio=audio is not None, unverified=unverified)


def _readable_recording(call: Call, settings: Settings) -> Path | None:
    """The call's recording when this machine can read it, else None (logged with the reason)."""
    if call.recording is None:
        return None
    try:
        return readable(settings.recordings_dir, call.recording.path)
    except RecordingUnreadable as exc:
        log.info("call %s is re-judged from its transcript alone: %s", call.id, exc)
        return None


def _store_verdicts(
    session: Session, call_id: int, analysis: CallAnalysis, score: CallScore, script: Script, engine: str
) -> None:
    store_qa_result(
        session,
        call_id,
        analysis,
        script_id=script.id,
        script_version=script.version,
        engine=engine,
    )
    store_call_score(session, call_id=call_id, score=score)


def flag_severity(settings: Settings) -> FlagSeverity:
    """The review queue's severity weights from settings."""
    return FlagSeverity(
        critical_failed=settings.review_severity_critical_failed,
        uncertain=settings.review_severity_uncertain,
        caller_negative_end=settings.review_severity_caller_negative_end,
    )


def file_scorecards(settings: Settings) -> list[Scorecard]:
    """The scorecards read from YAML files (one per card id) for the languages calls are judged in."""
    cards: dict[str, Scorecard] = {}
    for language in packaged_languages():
        card = load_scorecard(settings.scorecard_path, language)
        cards.setdefault(card.id, card)
    return list(cards.values())


def store_file_scorecards(settings: Settings, session_factory: sessionmaker[Session]) -> None:
    """Store each YAML card as its first version, if not stored yet, in a transaction of its own: else the
    first call would store it and, on SQLite, hold the write lock while its audio is decoded. A failure is
    only logged: `process_call` stores a missing card itself."""
    try:
        with session_factory() as session:
            for card in file_scorecards(settings):
                current_scorecard(session, card)
            session.commit()
    except SQLAlchemyError as exc:
        log.warning("could not store the scorecards' first versions yet: %s", exc)


def make_worker(
    settings: Settings,
    session_factory: sessionmaker[Session],
    analyzer: CallAnalyzer | None = None,
    *,
    retryable: tuple[type[Exception], ...] = (),
) -> Worker:
    """A worker that processes ingested calls, each by the analyzer of its own language (one per language
    per process, built on first use; `analyzer`, when given, is the one for the settings' language);
    `retryable` as for `Worker`."""
    analyzers = AnalyzersByLanguage(settings, analyzer)
    store_file_scorecards(settings, session_factory)

    def handle_process_call(session: Session, job: Job) -> None:
        call = session.get(Call, job.call_id) if job.call_id is not None else None
        if call is None:
            raise LookupError(f"job {job.id} refers to a missing call")
        process_call(session, call, analyzers.for_language(call.language))

    return Worker(
        session_factory,
        {PROCESS_CALL: handle_process_call},
        periodic=periodic_tasks(settings),
        poll_s=settings.worker_poll_s,
        stale_after_s=settings.worker_stale_after_s,
        recover_every_s=settings.worker_recover_every_s,
        max_backoff_s=settings.worker_max_backoff_s,
        retryable=retryable,
    )
