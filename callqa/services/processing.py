"""Job handlers that run the pipeline for stored calls and persist the results."""

from __future__ import annotations

import logging
import time

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
from callqa.services.storage import readable
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


def rescore_call(session: Session, call: Call, analyzer: CallAnalyzer) -> float:
    """Re-run QA and scoring on the stored transcript (no re-transcription) with the active version of
    the scorecard; returns the new total."""
    if call.recording is None:
        raise LookupError(f"call {call.id} has no recording")
    transcript = load_transcript(
        session, call_id=call.id, duration_s=call.recording.duration_s, language=call.language
    )
    analysis, score, script = analyzer.analyze_transcript(
        transcript,
        agent_name=agent_first_name(session, call.agent_id),
        agent_number=agent_work_number(session, call.agent_id),
        scorecard=current_scorecard(session, analyzer.scorecard),
    )
    _store_verdicts(session, call.id, analysis, score, script, transcript.engine)
    read_complaints(session, call, transcript)
    # re-scoring may raise new flags; it never re-samples
    flag_call(session, call, weights=flag_severity(analyzer.settings), sample_per_week=0, sample_rate=0.0)
    return score.total


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
