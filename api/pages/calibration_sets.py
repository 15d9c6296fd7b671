"""Calibration set pages: opening a set over several calls (from the calibration page, or the queue's ticked
reviews), the set's page (who has scored which call, never what; each member's links to score each call
blind; the reveal), the summary across its calls once revealed, and that summary as CSV. The same service
functions as /api/calibration-sets (scoring.calibration_sets)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from api.deps import IdPath, ScorecardDep, SessionDep, StaffPageUser, parse_id, visible_call
from api.pages.calibration import calibration_form
from api.pages.rendering import check_csrf, redirect, render
from models import CalibrationSet, Review, User
from scoring.calibration import may_reveal
from scoring.calibration_agreement import MACHINE, SetSummary
from scoring.calibration_sets import create_set, get_set, members_of, reveal_set, set_summary, submitted
from scoring.exceptions import ReviewError
from scoring.glossary import label

router = APIRouter()


def _set(session: SessionDep, set_id: int, user: User) -> CalibrationSet:
    cset = get_set(session, set_id, user)
    if cset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "calibration set not found")
    return cset


def _names(session: SessionDep, ids: list[int]) -> dict[int, str]:
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return {**names, MACHINE: "the machine"}


@router.post("/calibration-sets/from-queue")
def from_queue(
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    """The queue's ticked reviews, as the calls of a new set on the calibration page's form."""
    check_csrf(request, str(form.get("csrf", "")))
    ids = [i for i in (parse_id(str(v)) for v in form.getlist("review_id")) if i is not None]
    calls = session.scalars(select(Review.call_id).where(Review.id.in_(ids)).order_by(Review.call_id))
    return redirect("/calibrations", fragment="new-set", call_ids=", ".join(str(c) for c in calls))


@router.post("/calibration-sets")
def open_set(
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    raw = str(form.get("call_ids", ""))
    call_ids = [int(n) for n in re.findall(r"\d+", raw)]
    listed = ", ".join(map(str, call_ids))
    members = [i for i in (parse_id(str(v)) for v in form.getlist("member_id")) if i is not None]
    calls = []
    for call_id in call_ids:
        try:
            calls.append(visible_call(session, user, call_id))
        except HTTPException:  # missing, or not one this user may see: the form says which
            return redirect(
                "/calibrations", fragment="new-set", call_ids=listed, set_error=f"Call #{call_id} not found"
            )
    try:
        cset = create_set(
            session,
            calls=calls,
            title=str(form.get("title", "")),
            member_ids=members,
            expert_id=parse_id(str(form.get("expert_id", ""))),
            by=user,
            at=datetime.now(UTC),
        )
    except ReviewError as exc:
        return redirect("/calibrations", fragment="new-set", call_ids=listed, set_error=exc)
    return redirect(f"/calibration-sets/{cset.id}", msg="Calibration set opened")


@router.get("/calibration-sets/{set_id}", response_class=HTMLResponse)
def set_page(
    set_id: IdPath, request: Request, session: SessionDep, user: StaffPageUser, card: ScorecardDep
) -> HTMLResponse:
    cset = _set(session, set_id, user)
    members = members_of(cset)
    done = submitted(cset)
    summary = set_summary(session, cset, card) if cset.state == "revealed" else None
    return render(
        request,
        "calibration_set.html",
        user,
        cset=cset,
        members=members,
        names=_names(session, members),
        done=done,
        member=user.id in members,
        to_score=[s for s in cset.sessions if user.id in members and user.id not in done[s.call_id]],
        can_reveal=cset.state == "open" and may_reveal(cset, user),
        summary=summary,
        machine=MACHINE,
    )


@router.post("/calibration-sets/{set_id}/reveal")
def reveal_form(
    set_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    form: Annotated[FormData, Depends(calibration_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    cset = _set(session, set_id, user)
    try:
        reveal_set(session, cset, by=user, at=datetime.now(UTC))
    except ReviewError as exc:
        return redirect(f"/calibration-sets/{cset.id}", msg=exc)
    return redirect(f"/calibration-sets/{cset.id}", msg="Results revealed")


def _figure(value: float | None, fmt: str = "{:.2f}") -> str:
    return "" if value is None else fmt.format(value)


def summary_rows(summary: SetSummary, names: dict[int, str]) -> list[list[object]]:
    """The summary as CSV rows: one per reviewer (and the machine), one per item, and the overall kappas;
    shares 0–1, deviations in points of the 0–100 total, an empty cell where a figure is undefined."""
    share = "{:.3f}"
    rows: list[list[object]] = [
        [
            "section",
            "who or item",
            "compared",
            "agreement with key",
            "cohen kappa with key",
            "mean total difference (points)",
            "mean absolute total difference (points)",
            "calls",
        ]
    ]
    for r in summary.raters:
        rows.append(
            [
                "machine" if r.rater_id == MACHINE else "reviewer",
                names.get(r.rater_id, str(r.rater_id)),
                r.compared,
                _figure(r.agreement, share),
                _figure(r.kappa, share),
                _figure(r.total_bias),
                _figure(r.total_deviation),
                r.calls,
            ]
        )
    rows.append(
        ["section", "item", "keyed calls", "reviewer agreement with key", "fleiss kappa", "machine agreement"]
    )
    for i in summary.items:
        rows.append(
            [
                "item",
                label(i.item),
                i.keyed_calls,
                _figure(i.agreement, share),
                _figure(i.fleiss_kappa, share),
                _figure(i.machine_agreement, share),
            ]
        )
    rows.append(["overall", "fleiss kappa", _figure(summary.fleiss_kappa, share)])
    rows.append(["overall", "mean pairwise cohen kappa", _figure(summary.pairwise_kappa, share)])
    return rows


@router.get("/calibration-sets/{set_id}/summary.csv")
def set_csv(set_id: IdPath, session: SessionDep, user: StaffPageUser, card: ScorecardDep) -> Response:
    """The revealed set's summary as CSV (409 while the set is open: scoring is blind)."""
    cset = _set(session, set_id, user)
    summary = set_summary(session, cset, card)
    out = io.StringIO()
    csv.writer(out).writerows(summary_rows(summary, _names(session, members_of(cset))))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="calibration-set-{cset.id}.csv"'},
    )
