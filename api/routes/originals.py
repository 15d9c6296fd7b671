"""The unredacted originals of calls (kept only under `pii_policy` 'redacted_and_original'): admins only,
and every read is recorded in the audit log in the request's transaction, before the answer is sent.
No other route, page or export serves them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

from api.deps import AdminUser, SessionDep, SettingsDep, VisibleCall
from api.errors import ERROR_RESPONSES
from api.schemas import OriginalSegmentRead
from callqa.services.storage import locate
from models import PiiOriginal, User
from qa.pii.service import find_original, record_audit

router = APIRouter(prefix="/api/calls", tags=["personal data"], responses=ERROR_RESPONSES)


def _original(session: SessionDep, call_id: int) -> PiiOriginal:
    original = find_original(session, call_id)
    if original is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no original kept for this call")
    return original


def _audit(session: SessionDep, action: str, user: User, call_id: int) -> None:
    record_audit(session, action=action, user_id=user.id, username=user.username, call_id=call_id)


@router.get("/{call_id}/original/transcript", response_model=list[OriginalSegmentRead])
def get_original_transcript(
    call: VisibleCall, user: AdminUser, session: SessionDep
) -> list[OriginalSegmentRead]:
    """The transcript as said, personal data included (audited)."""
    original = _original(session, call.id)
    record_audit(
        session, action="original.transcript.read", user_id=user.id, username=user.username, call_id=call.id
    )
    return [OriginalSegmentRead.model_validate(seg) for seg in original.transcript["segments"]]


@router.get("/{call_id}/original/audio")
def get_original_audio(
    call: VisibleCall, user: AdminUser, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """The unredacted recording (audited)."""
    original = _original(session, call.id)
    path = locate(settings.recordings_dir, original.recording_path) if original.recording_path else None
    if path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "original recording not available")
    record_audit(
        session, action="original.audio.read", user_id=user.id, username=user.username, call_id=call.id
    )
    return FileResponse(path, media_type="audio/*")
