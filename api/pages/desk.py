"""An agent's live hotline call on their own page (/me): hand it on to a higher tier, blind (escalate) or
warm (consult a colleague while the caller holds, then complete or cancel the transfer). The same hotline
operations as the JSON routes (`api/routes/hotline.py`); an agent acts only on their own call and consults."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from api.deps import HotlineDep, IdPath, PageUser
from api.pages.rendering import check_csrf, redirect
from callqa.services.hotline import Hotline
from callqa.services.hotline_errors import HotlineError
from models import User
from routing.escalations import EscalationError

router = APIRouter()


def desk_context(hotline: Hotline, agent_id: int) -> dict[str, Any]:
    """What /me shows of `agent_id`'s live work: their talking calls (with the consult open on each, if
    any), the consults offered to them, and the configured tiers above the first."""
    consults = hotline.open_consults(agent_id=agent_id)
    mine = {c.call_id: c for c in consults if c.from_agent_id == agent_id}
    calls = [c for c in hotline.find_calls() if c.agent_id == agent_id and c.state == "talking"]
    return {
        "live_calls": [(c, mine.get(c.call_id)) for c in calls],
        "consults_to_me": [c for c in consults if c.to_agent_id == agent_id],
        "tiers": {t: n for t, n in sorted(hotline.config.tiers.items()) if t > 1},
    }


def _back(said: str) -> RedirectResponse:
    return redirect("/me", msg=said)


def _agent_id(user: User) -> int:
    if user.role != "agent" or user.agent_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no agent linked to this login")
    return user.agent_id


@router.post("/me/calls/{call_id}/hand-over")
def hand_over_form(
    call_id: IdPath,
    request: Request,
    user: PageUser,
    hotline: HotlineDep,
    csrf: Annotated[str, Form()],
    how: Annotated[str, Form(pattern="^(consult|escalate)$")],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    to_tier: Annotated[int | None, Form(ge=2, le=9)] = None,
) -> Response:
    """The agent hands their talking call on: `consult` (warm) or `escalate` (blind)."""
    check_csrf(request, csrf)
    if hotline.call_view(call_id).agent_id != _agent_id(user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "hotline call not found")
    try:
        if how == "consult":
            consult = hotline.consult(call_id, reason=reason, to_tier=to_tier)
            said = f"Consult {consult.consult_id} " + (
                f"offered to agent {consult.to_agent_id}" if consult.to_agent_id else "waiting for the tier"
            )
        else:
            hotline.escalate(call_id, reason=reason, to_tier=to_tier)
            said = f"Call {call_id} escalated"
    except (EscalationError, HotlineError) as exc:
        said = f"Not handed on: {exc}"
    return _back(said)


@router.post("/me/consults/{consult_id}/{action}")
def consult_form(
    consult_id: IdPath,
    action: str,
    request: Request,
    user: PageUser,
    hotline: HotlineDep,
    csrf: Annotated[str, Form()],
) -> Response:
    """The agent who asked completes the transfer (`complete`) or takes the caller back (`cancel`)."""
    check_csrf(request, csrf)
    asked_by = hotline.consult_view(consult_id).from_agent_id
    if action not in ("complete", "cancel") or asked_by != _agent_id(user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "consult not found")
    try:
        if action == "complete":
            view = hotline.complete_transfer(consult_id)
            said = f"Call {view.call_id} transferred to agent {view.agent_id}"
        else:
            hotline.cancel_consult(consult_id)
            said = f"Consult {consult_id} cancelled: the caller is with you"
    except HotlineError as exc:
        said = f"Not done: {exc}"
    return _back(said)
