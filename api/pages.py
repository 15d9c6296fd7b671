"""Server-rendered pages (Jinja2) for QA staff and agents: review queue, call review, my scores, overview.

Server rendering keeps the product one Python service with no front-end build, works offline, and lets
every page reuse the JSON API's role checks. The few interactive bits (click a word to seek the audio)
are a small static script; charts are inline SVG drawn here. Forms carry a CSRF token; the session
cookie is HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from api.deps import SESSION_COOKIE, SessionDep, SettingsDep, get_current_user
from api.routes.calls import visible_call
from api.routes.reviews import ScorecardDep
from api.security import issue_token
from callqa.users import UserError, authenticate, create_user
from models import Agent, Dispute, Review, User
from scoring.aggregates import agent_summaries, set_manual_scores, team_overview
from scoring.review import (
    Decision,
    ReviewError,
    agreement,
    assign,
    effective_verdicts,
    list_queue,
    open_dispute,
    resolve_dispute,
    submit_review,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["verdict_label"] = lambda v: {True: "pass", False: "FAIL", None: "n/a"}[v]


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""


def page_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    try:
        return get_current_user(session, settings, None, request.cookies.get(SESSION_COOKIE))
    except HTTPException as exc:
        raise LoginRequired from exc


PageUser = Annotated[User, Depends(page_user)]


def staff(user: User) -> None:
    if user.role not in ("qa", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for QA staff")


def _csrf(settings: Any, user: User) -> str:
    return URLSafeSerializer(settings.secret_key, salt="callqa-csrf").dumps(user.id)


def check_csrf(settings: Any, user: User, token: str) -> None:
    try:
        ok = URLSafeSerializer(settings.secret_key, salt="callqa-csrf").loads(token) == user.id
    except BadSignature:
        ok = False
    if not ok:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid form token; reload the page")


def render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    csrf = _csrf(settings, user) if user else ""
    message = request.query_params.get("msg")
    return templates.TemplateResponse(
        request, name, {"user": user, "csrf": csrf, "message": message, **context}
    )


@router.get("/", response_class=HTMLResponse)
def home(user: PageUser) -> Response:
    return RedirectResponse("/me" if user.role == "agent" else "/queue", status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    user = authenticate(session, username=username, password=password)
    if user is None:
        return render(request, "login.html", None, error="Wrong username or password.")
    response = RedirectResponse("/me" if user.role == "agent" else "/queue", status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        issue_token(settings.secret_key, user.id),
        max_age=settings.token_ttl_s,
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    state: str = "open",
    agent_id: str = "",
    mine: bool = False,
) -> HTMLResponse:
    staff(user)
    agent = int(agent_id) if agent_id.isdigit() else None
    rows = list_queue(session, state=state, assignee_id=user.id if mine else None, agent_id=agent)
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    users = {u.id: u.username for u in session.scalars(select(User))}
    return render(
        request,
        "queue.html",
        user,
        rows=rows,
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        user_names=users,
        state=state,
        agent_id=agent,
        mine=mine,
    )


@router.post("/queue/{review_id}/take")
def take_review(
    review_id: int, session: SessionDep, settings: SettingsDep, user: PageUser, csrf: Annotated[str, Form()]
) -> Response:
    staff(user)
    check_csrf(settings, user, csrf)
    review = session.get(Review, review_id)
    if review is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "review not found")
    assign(session, review, user.id)
    return RedirectResponse(f"/calls/{review.call_id}", status.HTTP_303_SEE_OTHER)


def _flagged_words(segments: list[Any], details: dict[str, Any]) -> list[dict[str, Any]]:
    """Transcript segments for the page, each word marked when a violation or evidence covers it."""
    spans = [("viol", v["start"], v["end"]) for v in details.get("violations", [])]
    for check in (details.get("checks") or {}).values():
        for el in check.get("elements", []):
            if el.get("evidence"):
                spans.append(("evidence", el["evidence"]["start"], el["evidence"]["end"]))
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


def sentiment_svg(utterances: list[dict[str, Any]], duration: float) -> str:
    """The caller's sentiment over the call: one point per utterance (neg −1, neu 0, pos +1)."""
    width, height, pad = 520, 120, 20
    value = {"neg": -1, "neu": 0, "pos": 1}
    points = [
        (
            pad + (u["start"] / max(duration, 1e-6)) * (width - 2 * pad),
            height / 2 - value.get(u["label"], 0) * (height / 2 - pad),
            u["label"],
        )
        for u in utterances
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="{label}"><title>{label}</title></circle>'
        for x, y, label in points
    )
    return (
        f'<svg class="chart" id="sentiment" width="{width}" height="{height}" role="img" '
        f'aria-label="caller sentiment over the call">'
        f'<text x="2" y="{pad}" font-size="10">pos</text>'
        f'<text x="2" y="{height - 6}" font-size="10">neg</text>'
        f'<line x1="{pad}" y1="{height / 2}" x2="{width - pad}" y2="{height / 2}" stroke="#ccd"/>'
        f'<polyline points="{line}" fill="none" stroke="#1d4ea8" stroke-width="2"/>{dots}</svg>'
    )


def trend_svg(series: list[tuple[Any, float]]) -> str:
    """Call scores over the last 90 days as a line (0–100)."""
    width, height, pad = 640, 160, 24
    if not series:
        return '<p id="trend">No scored calls yet.</p>'
    t0, t1 = series[0][0].timestamp(), series[-1][0].timestamp()
    span = max(t1 - t0, 1.0)
    pts = [
        (
            pad + (at.timestamp() - t0) / span * (width - 2 * pad),
            height - pad - total / 100 * (height - 2 * pad),
        )
        for at, total in series
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in pts)
    return (
        f'<svg class="chart" id="trend" width="{width}" height="{height}" role="img" '
        f'aria-label="score trend"><text x="2" y="{pad}" font-size="10">100</text>'
        f'<text x="2" y="{height - pad}" font-size="10">0</text>'
        f'<polyline points="{line}" fill="none" stroke="#1d4ea8" stroke-width="2"/>{dots}</svg>'
    )


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(call_id: int, request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    call = visible_call(session, user, call_id)
    details = call.qa_result.details if call.qa_result else {}
    review = session.scalar(select(Review).where(Review.call_id == call.id))
    disputes = session.scalars(select(Dispute).where(Dispute.call_id == call.id).order_by(Dispute.id)).all()
    score = call.score
    done = review is not None and review.state == "done" and review.final_total is not None
    total = (
        review.final_total
        if done and review and review.final_total is not None
        else (score.total if score else 0)
    )
    human = {v.item: v.human_passed for v in review.verdicts} if review else {}
    duration = call.recording.duration_s if call.recording else 0.0
    caller = (details.get("sentiment") or {}).get("caller") or {}
    return render(
        request,
        "call.html",
        user,
        call=call,
        agent_name=call.agent.name if call.agent else "",
        segments=_flagged_words(list(call.segments), details),
        checks=details.get("checks", {}),
        violations=details.get("violations", []),
        sentiment_svg=sentiment_svg(caller.get("utterances", []), duration),
        items=score.items if score else [],
        human=human,
        review=review,
        effective_total=total,
        can_review=user.role in ("qa", "admin") and score is not None,
        can_dispute=user.role == "agent" and score is not None,
        disputed={d.item: f"disputed ({d.state})" for d in disputes},
        disputes=disputes,
    )


@router.post("/calls/{call_id}/review")
async def review_call(
    call_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    card: ScorecardDep,
) -> Response:
    staff(user)
    form = await request.form()
    check_csrf(settings, user, str(form.get("csrf", "")))
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
    machine = effective_verdicts(call.score, None)
    for item in machine:
        picked = str(form.get(f"verdict__{item}", "keep"))
        comment = str(form.get(f"comment__{item}", "")).strip()
        if picked in choice:
            decisions[item] = Decision(choice[picked], comment)
        elif item not in decisions:
            decisions[item] = Decision(machine[item], comment or "confirmed")
    try:
        final = submit_review(session, review, reviewer_id=user.id, decisions=decisions, scorecard=card)
    except ReviewError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return RedirectResponse(
        f"/calls/{call.id}?msg=Review saved, final score {final:.0f}", status.HTTP_303_SEE_OTHER
    )


@router.post("/calls/{call_id}/dispute")
def dispute_call(
    call_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    csrf: Annotated[str, Form()],
    item: Annotated[str, Form()],
    comment: Annotated[str, Form()],
) -> Response:
    check_csrf(settings, user, csrf)
    call = visible_call(session, user, call_id)
    if user.role != "agent":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the agent who handled the call can dispute it")
    try:
        open_dispute(session, call=call, item=item, author_id=user.id, comment=comment)
    except ReviewError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return RedirectResponse(f"/calls/{call.id}?msg=Dispute filed for {item}", status.HTTP_303_SEE_OTHER)


@router.post("/disputes/{dispute_id}/resolve")
def resolve_page(
    dispute_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    card: ScorecardDep,
    csrf: Annotated[str, Form()],
    upheld: Annotated[str, Form()],
    resolution: Annotated[str, Form()] = "",
) -> Response:
    staff(user)
    check_csrf(settings, user, csrf)
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dispute not found")
    try:
        resolve_dispute(
            session, dispute, resolver_id=user.id, upheld=upheld == "1", resolution=resolution, scorecard=card
        )
    except ReviewError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return RedirectResponse(
        f"/calls/{dispute.call_id}?msg=Dispute {dispute.state}", status.HTTP_303_SEE_OTHER
    )


def _agent_page(request: Request, session: SessionDep, user: User, agent_id: int, own: bool) -> HTMLResponse:
    summary = agent_summaries(session).get(agent_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return render(request, "agent.html", user, summary=summary, own=own, trend_svg=trend_svg(summary.series))


@router.get("/me", response_class=HTMLResponse)
def my_scores(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    if user.role != "agent" or user.agent_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no agent linked to this login")
    return _agent_page(request, session, user, user.agent_id, own=True)


@router.get("/agents/{agent_id}", response_class=HTMLResponse)
def agent_page(agent_id: int, request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    if user.role == "agent" and user.agent_id != agent_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "agent not found")
    return _agent_page(request, session, user, agent_id, own=user.agent_id == agent_id)


@router.post("/agents/{agent_id}/manual")
def manual_scores_form(
    agent_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    csrf: Annotated[str, Form()],
    knowledge: Annotated[str, Form()] = "",
    performance: Annotated[str, Form()] = "",
) -> Response:
    staff(user)
    check_csrf(settings, user, csrf)
    try:
        values = [None if not v else float(v) for v in (knowledge, performance)]
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "scores are numbers 0–100") from exc
    if any(v is not None and not 0 <= v <= 100 for v in values):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "scores are numbers 0–100")
    set_manual_scores(
        session,
        agent_id=agent_id,
        month=datetime.now(UTC).strftime("%Y-%m"),
        knowledge=values[0],
        performance=values[1],
        entered_by=user.id,
    )
    return RedirectResponse(f"/agents/{agent_id}?msg=Manual scores saved", status.HTTP_303_SEE_OTHER)


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    staff(user)
    team = team_overview(session)
    return render(
        request,
        "overview.html",
        user,
        summaries=team.ranked,
        item_rates=team.item_pass_rates,
        flagged=team.flagged_open,
        disputes=team.disputes_open,
        agreement=agreement(session),
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: PageUser, error: str = "") -> HTMLResponse:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for admins")
    agents = session.scalars(select(Agent).order_by(Agent.name)).all()
    return render(
        request,
        "users.html",
        user,
        users=session.scalars(select(User).order_by(User.username)).all(),
        agents=agents,
        agent_names={a.id: a.name for a in agents},
        error=error,
    )


@router.post("/admin/users")
def add_user(
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    csrf: Annotated[str, Form()],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    agent_id: Annotated[str, Form()] = "",
) -> Response:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for admins")
    check_csrf(settings, user, csrf)
    try:
        create_user(
            session,
            username=username,
            password=password,
            role=role,
            agent_id=int(agent_id) if agent_id else None,
        )
    except UserError as exc:
        return RedirectResponse(f"/admin/users?error={exc}", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/admin/users?msg=Added {username}", status.HTTP_303_SEE_OTHER)
