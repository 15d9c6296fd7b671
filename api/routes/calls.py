"""Calls: upload a recording, follow its processing, read transcript, verdicts and score.

Agents see only their own calls; anyone else's call answers 404 exactly like a missing one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Response, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import AwareDatetime
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import MAX_ID, CurrentUser, SessionDep, SettingsDep, StaffUser, VisibleCall
from api.errors import ERROR_RESPONSES
from api.schemas import CallRead, QAResultRead, RoutingFactsRead, ScoreRead, SegmentRead
from callqa.services.ingest import CallOrigin, DuplicateCallError, ingest_recording
from callqa.services.storage import locate
from models import Call
from routing.service import routing_facts
from scoring.effective import load_effective_score

router = APIRouter(prefix="/api/calls", tags=["calls"], responses=ERROR_RESPONSES)

_CHUNK = 1 << 20


def call_read(session: Session, call: Call) -> CallRead:
    read = CallRead.model_validate(call)
    effective = load_effective_score(session, call.id)
    read.total_score = effective.total if effective is not None else None
    if call.hotline_call_id is not None:
        facts = routing_facts(session, call.hotline_call_id)
        read.routing = RoutingFactsRead.model_validate(facts) if facts is not None else None
    return read


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CallRead,
    responses={200: {"model": CallRead, "description": "Already stored (same content or PBX call id)."}},
)
def upload_call(
    session: SessionDep,
    settings: SettingsDep,
    _user: StaffUser,
    response: Response,
    file: Annotated[UploadFile, File(description="WAV, FLAC, MP3 or OGG; stereo = agent/caller legs")],
    agent_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    caller_number: Annotated[str | None, Form(max_length=40)] = None,
    pbx_call_id: Annotated[str | None, Form(min_length=1, max_length=120)] = None,
    agent_extension: Annotated[str | None, Form(min_length=1, max_length=80)] = None,
    started_at: Annotated[AwareDatetime | None, Form()] = None,
    ended_at: Annotated[AwareDatetime | None, Form()] = None,
    direction: Annotated[Literal["inbound", "outbound"] | None, Form()] = None,
    language: Annotated[str | None, Form(min_length=2, max_length=8, description="e.g. en, zh")] = None,
) -> CallRead:
    """Upload a call recording; it is validated, stored and queued for transcription and QA (202).

    The agent is `agent_id`, or the agent with `agent_extension`, or the agent of the routed hotline call
    `pbx_call_id` names (the call is then linked to it: queue wait, skills, tier). The call is judged by
    the script of `language`, else of the routed call's language, else of the deployment's
    (CALLQA_LANGUAGE). `started_at`/`ended_at` (ISO 8601 with a zone) are the call's times; without them a
    linked call takes the hotline's. The same recording or PBX call id uploaded again answers 200 with the
    stored call and stores nothing."""
    if agent_id is None and agent_extension is None and pbx_call_id is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "give agent_id, agent_extension or a routed call's pbx_call_id",
        )
    origin = CallOrigin(pbx_call_id, agent_extension, started_at, ended_at, direction)
    # Type, declared size and the caller's login were checked before the body was read (api/middleware.py).
    limit = settings.max_upload_mb * 1024 * 1024
    tmp_dir = settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=tmp_dir, delete=True) as tmp:
        size = 0
        while chunk := file.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    status.HTTP_413_CONTENT_TOO_LARGE, f"upload exceeds {settings.max_upload_mb} MB"
                )
            tmp.write(chunk)
        tmp.flush()
        if size == 0:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the uploaded file is empty")
        try:
            call = ingest_recording(
                session,
                source=Path(tmp.name),
                recordings_dir=settings.recordings_dir,
                agent_id=agent_id,
                original_filename=file.filename,
                caller_number=caller_number,
                caller_key=settings.caller_number_key,
                language=language,
                default_language=settings.language,
                max_duration_s=settings.max_duration_s,
                origin=origin,
            )
        except DuplicateCallError as dup:
            stored = session.get(Call, dup.call_id)
            if stored is None:  # deleted since it was read: report the duplicate as it is
                raise
            response.status_code = status.HTTP_200_OK
            return call_read(session, stored)
    session.flush()
    session.refresh(call)
    return call_read(session, call)


@router.get("", response_model=list[CallRead])
def list_calls(
    session: SessionDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[CallRead]:
    stmt = select(Call).order_by(Call.started_at.desc(), Call.id.desc()).limit(limit)
    if user.role == "agent":
        stmt = stmt.where(Call.agent_id == user.agent_id)
    return [call_read(session, c) for c in session.scalars(stmt)]


@router.get("/{call_id}", response_model=CallRead)
def get_call(call: VisibleCall, session: SessionDep) -> CallRead:
    return call_read(session, call)


@router.get("/{call_id}/transcript", response_model=list[SegmentRead])
def get_transcript(call: VisibleCall) -> list[SegmentRead]:
    return [SegmentRead.model_validate(s) for s in call.segments]


@router.get("/{call_id}/qa", response_model=QAResultRead)
def get_qa(call: VisibleCall) -> QAResultRead:
    if call.qa_result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no QA result yet (call status: {call.status})")
    return QAResultRead.of(call.qa_result)


@router.get("/{call_id}/score", response_model=ScoreRead)
def get_score(call: VisibleCall, session: SessionDep) -> ScoreRead:
    effective = load_effective_score(session, call.id)
    if effective is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no score yet (call status: {call.status})")
    return ScoreRead.of(effective)


@router.get("/{call_id}/audio")
def get_audio(call: VisibleCall, settings: SettingsDep) -> FileResponse:
    path = None if call.recording is None else locate(settings.recordings_dir, call.recording.path)
    if call.recording is None or path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "recording not available")
    media = {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg"}
    return FileResponse(path, media_type=media.get(call.recording.format.lower(), "audio/*"))
