"""The call page (transcript with flagged words, verdicts, sentiment chart) and its forms: a reviewer's
verdicts, an agent's dispute, a reviewer's resolution."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from api.deps import (
    STAFF_ROLES,
    IdPath,
    PageUser,
    ScorecardDep,
    SessionDep,
    SettingsDep,
    StaffPageUser,
    visible_call,
)
from api.pages.charts import sentiment_svg
from api.pages.evaluation import breakdown, workflow_context
from api.pages.rendering import check_csrf, redirect, render
from api.pages.waveform import allow_player_style, markers, outline, style_nonce
from callqa.services.processing import flag_severity
from models import ComplaintReading, Dispute, Review
from qa.analysis import CallAnalysis
from qa.service import read_analysis
from scoring.disputes import open_dispute, resolve_dispute
from scoring.glossary import label
from scoring.rescore import rescore_call_on
from scoring.review import Decision, submit_review
from scoring.service import read_score
from scoring.versions import active_card, scored_with

router = APIRouter()


def _flagged_words(segments: list[Any], analysis: CallAnalysis | None) -> list[dict[str, Any]]:
    """Transcript segments for the page, each word marked when a violation or evidence covers it."""
    spans = [("viol", v.start, v.end) for v in analysis.violations] if analysis else []
    for check in analysis.checks.values() if analysis else []:
        for el in check.elements:
            if el.evidence is not None:
                spans.append(("evidence", el.evidence.start, el.evidence.end))
    out = []
    for seg in segments:
        words = seg.words or [{"text": t, "start": seg.start_s, "end": seg.end_s} for t in seg.text.split()]
        marked = []
        for w in words:
            mid = (w["start"] + w["end"]) / 2
            flag = next((kind for kind, s, e in spans if s - 0.05 <= mid <= e + 0.05), "")
            marked.append({"text": w["text"], "start": round(w["start"], 2), "flag": flag})
        out.append({"speaker": seg.speaker, "start": seg.start_s, "words": marked})
    return out


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(
    call_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    card: ScorecardDep,
    settings: SettingsDep,
) -> HTMLResponse:
    call = visible_call(session, user, call_id)
    analysis = read_analysis(call.qa_result) if call.qa_result else None
    review = session.scalar(select(Review).where(Review.call_id == call.id))
    workflow = workflow_context(session, call)
    active = card
    if call.score is not None:
        active = active_card(session, call.score.scorecard_id) or card
        card = scored_with(session, call.score.scorecard_id, call.score.scorecard_version, card)
    rows, total, cap = (
        breakdown(call, review, card, analysis, workflow["reasons"]) if call.score else ([], 0, "")
    )
    duration = call.recording.duration_s if call.recording else 0.0
    caller = analysis.sentiment.get("caller") if analysis else None
    staff = user.role in STAFF_ROLES
    nonce = style_nonce()
    page = render(
        request,
        "call.html",
        user,
        call=call,
        waveform=outline(call, settings),
        markers=markers(analysis),
        style_nonce=nonce,
        agent_name=call.agent.name if call.agent else "",
        segments=_flagged_words(list(call.segments), analysis),
        checks=analysis.checks if analysis else {},
        violations=analysis.violations if analysis else [],
        talk=analysis.talk if analysis else None,
        duration=duration,
        sentiment_svg=sentiment_svg(caller.utterances if caller else (), duration),
        rows=rows,
        cap=cap,
        card=card,
        active=active,
        review=review,
        effective_total=total,
        can_review=staff and call.score is not None,
        can_resolve=staff,
        is_own_agent=user.role == "agent" and call.agent_id == user.agent_id and call.score is not None,
        open_disputes={d.item for d in workflow["disputes"] if d.state == "open"},
        complaint=session.get(ComplaintReading, call.id),
        **workflow,
    )
    return allow_player_style(page, nonce)


async def review_form(request: Request) -> FormData:
    """The review form, whose field names (`verdict__<item>`) depend on the scorecard, parsed up front so
    the route itself can be a plain function run off the event loop."""
    return await request.form()


@router.post("/calls/{call_id}/review")
def review_call(
    call_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    card: ScorecardDep,
    form: Annotated[FormData, Depends(review_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    call = visible_call(session, user, call_id)
    if call.score is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "call not scored yet")
    review = session.scalar(select(Review).where(Review.call_id == call.id))
    if review is None:
        review = Review(call_id=call.id, reasons=["opened by reviewer"], machine_total=call.score.total)
        session.add(review)
        session.flush()
    choice = {"pass": True, "fail": False, "na": None}
    decisions = {v.item: Decision(v.human_passed, v.comment) for v in review.verdicts}
    machine = read_score(call.score).verdicts()
    for item in machine:
        picked = str(form.get(f"verdict__{item}", "keep"))
        comment = str(form.get(f"comment__{item}", "")).strip()
        if picked in choice:
            decisions[item] = Decision(choice[picked], comment)
        elif item not in decisions:
            decisions[item] = Decision(machine[item], comment or "confirmed")
    final = submit_review(session, review, reviewer_id=user.id, decisions=decisions, scorecard=card)
    return redirect(f"/calls/{call.id}", msg=f"Review saved, final score {final:.0f}")


@router.post("/calls/{call_id}/dispute")
def dispute_call(
    call_id: IdPath,
    session: SessionDep,
    request: Request,
    user: PageUser,
    csrf: Annotated[str, Form()],
    item: Annotated[str, Form()],
    comment: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    call = visible_call(session, user, call_id)
    if user.role != "agent":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the agent who handled the call can dispute it")
    open_dispute(session, call=call, item=item, author_id=user.id, comment=comment)
    return redirect(f"/calls/{call.id}", msg=f"Dispute filed for {label(item)}")


@router.post("/disputes/{dispute_id}/resolve")
def resolve_page(
    dispute_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    card: ScorecardDep,
    csrf: Annotated[str, Form()],
    upheld: Annotated[str, Form()],
    resolution: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dispute not found")
    visible_call(session, user, dispute.call_id)  # a supervisor resolves only their team's disputes
    resolve_dispute(
        session, dispute, resolver_id=user.id, upheld=upheld == "1", resolution=resolution, scorecard=card
    )
    return redirect(f"/calls/{dispute.call_id}", msg=f"Dispute {dispute.state}")


@router.post("/calls/{call_id}/rescore")
def rescore_page(
    call_id: IdPath,
    session: SessionDep,
    request: Request,
    user: StaffPageUser,
    card: ScorecardDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()],
) -> Response:
    """Score the call again on the active version of its scorecard (the score before stays in the
    history); a second click finds it already on that version and changes nothing."""
    check_csrf(request, csrf)
    call = visible_call(session, user, call_id)
    if call.score is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "call not scored yet")
    active = active_card(session, call.score.scorecard_id) or card
    done = rescore_call_on(
        session,
        call,
        active,
        weights=flag_severity(settings),
        actor_id=user.id,
        reason=f"rescored with the active version {active.version}",
    )
    if done is None:
        msg = f"Already scored with version {active.version}"
    else:
        msg = f"Rescored with version {active.version}: {done.before:.0f} → {done.after:.0f}"
        if done.final_after is not None:
            msg += f" (reviewed {done.final_before:.0f} → {done.final_after:.0f})"
    return redirect(f"/calls/{call.id}", msg=msg)
