"""Background jobs: the dead-letter list (calls given up on) and queueing one of them again."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import AdminUser, IdPath, SessionDep, StaffUser
from api.errors import ERROR_RESPONSES
from api.schemas import JobRead
from callqa.services.jobs import list_jobs, revive

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[JobRead])
def get_jobs(
    session: SessionDep,
    _user: StaffUser,
    status: Literal["queued", "running", "done", "failed", "dead"] = "dead",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[JobRead]:
    """Jobs in `status` (default `dead`: the dead-letter list), most recent first."""
    return [JobRead.model_validate(job) for job in list_jobs(session, status=status, limit=limit)]


@router.post("/{job_id}/retry", response_model=JobRead)
def retry_job(job_id: IdPath, session: SessionDep, _user: AdminUser) -> JobRead:
    """Queue a dead job again with fresh attempts (after fixing the cause, e.g. remounting the store).
    404 unknown job; 409 when the job is not dead."""
    return JobRead.model_validate(revive(session, job_id))
