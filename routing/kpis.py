"""The center's KPIs, defined here and only here, and the feedback they are built on.

Over the hotline calls that arrived in [since, until) — for one agent, the calls that agent answered; for a
team, those its members answered — leaving out the hotline's callback offers (outbound tasks, not callers:
`routing.callbacks`):

- **offered**: calls that reached the hotline; **answered**: those an agent picked up; **abandoned**: those
  whose caller hung up before an answer (a caller who hangs up while waiting for a higher tier after an
  escalation was answered, and is not abandoned too). **Abandonment rate** = abandoned / offered.
- **Speed of answer (ASA)**: mean seconds from arrival to answer over answered calls.
- **Time to first agent word**: mean seconds from the start of the recording to the agent's first
  transcribed word, over the answered calls whose recording is stored and transcribed (`recorded`).
- **Service level**: answered within `sl_target_s` over offered (abandoned calls count as missed).
- **Satisfaction (CSAT)**: the caller's post-call IVR survey digit, 1 (poor) to 5 (excellent).
  `satisfaction_mean` is the mean digit over surveyed calls; `satisfied_share` the share of surveys at or
  above `satisfied_from` (4: "satisfied" or better); `surveyed` how many answered.
- **First-contact resolution (FCR)**: an answered call is resolved at first contact when no other call
  from the same number with the same need (IVR choice, or the required skills when there was none) arrives
  within `fcr_window` after it, and the agent did not mark it unresolved. A call whose window has not yet
  closed at `now` is pending and left out. **FCR rate** = resolved at first contact / decided calls.
- **Complaint rate**: answered calls that were complaints / answered calls. A call is a complaint when
  the agent marked it so, or when the caller complained in its recording's transcript (the detector is
  passed in by the caller of `compute_kpis`: routing does not read transcripts' meaning; the server's is
  `callqa.services.complaints`); `complaints_detected` counts the latter.
- **Escalation rate**: answered calls an agent escalated to a higher tier (`routing.escalations`) /
  answered calls. For an agent: the calls they escalated / the calls they answered, counting both those
  they ended and those they escalated (the other KPIs of an agent count the calls they ended).

Functions take a `Session` keyword-only and flush, never commit; times are tz-aware UTC datetimes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Call, CallFeedback, HotlineCall, TranscriptSegment
from routing import escalations, teams
from routing.callbacks import offer_call_ids

SURVEY_DIGITS = range(1, 6)


class FeedbackError(ValueError):
    """Feedback that is invalid in itself (a survey digit outside 1–5)."""


class FeedbackNotFoundError(FeedbackError):
    """No hotline call with that id."""


class FeedbackStateError(FeedbackError):
    """Feedback that does not fit the call (a survey before the call ended, a second survey)."""


@dataclass(frozen=True)
class KpiReport:
    """The KPIs of the module docstring for one period and one agent, one team, or the whole center (both
    None).
    Rates are 0–1 and None when there is nothing to divide by; times are seconds."""

    since: str
    until: str
    agent_id: int | None
    team_id: int | None
    offered: int
    answered: int
    abandoned: int
    abandonment_rate: float | None
    asa_s: float | None
    recorded: int
    first_word_s: float | None
    service_level: float | None
    sl_target_s: float
    surveyed: int
    satisfaction_mean: float | None
    satisfied_share: float | None
    fcr_decided: int
    fcr_resolved: int
    fcr_rate: float | None
    complaints: int
    complaints_detected: int
    complaint_rate: float | None
    escalated: int
    escalation_rate: float | None


def record_survey(session: Session, hotline_call_id: int, *, digit: int, now: datetime) -> CallFeedback:
    """The caller pressed `digit` (1–5) in the post-call survey of an ended call; one survey per call."""
    if digit not in SURVEY_DIGITS:
        raise FeedbackError(f"a survey digit is 1 to 5, not {digit}")
    call = _call(session, hotline_call_id)
    if call.state != "ended":
        raise FeedbackStateError(f"call {hotline_call_id} is {call.state}: surveyed only once it ended")
    feedback = _feedback(session, hotline_call_id)
    if feedback.satisfaction is not None:
        raise FeedbackStateError(f"call {hotline_call_id} was already surveyed")
    feedback.satisfaction, feedback.surveyed_at = digit, now
    session.flush()
    return feedback


def record_disposition(
    session: Session,
    hotline_call_id: int,
    *,
    resolved: bool | None,
    complaint: bool,
    agent_id: int | None,
    now: datetime,
) -> CallFeedback:
    """The agent's disposition of an answered call: was the need met, did the caller complain. Given again,
    it replaces the earlier one."""
    call = _call(session, hotline_call_id)
    if call.answered_at is None:
        raise FeedbackStateError(f"call {hotline_call_id} was never answered")
    feedback = _feedback(session, hotline_call_id)
    feedback.resolved, feedback.complaint = resolved, complaint
    feedback.disposed_by, feedback.disposed_at = agent_id, now
    session.flush()
    return feedback


def handled_by(session: Session, hotline_call_id: int) -> int | None:
    """The agent the call was offered to / answered by (None: nobody yet)."""
    return _call(session, hotline_call_id).agent_id


def compute_kpis(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    fcr_window: timedelta,
    sl_target_s: float,
    satisfied_from: int = 4,
    agent_id: int | None = None,
    team_id: int | None = None,
    detect_complaints: Callable[[list[int]], set[int]] | None = None,
) -> KpiReport:
    """The KPIs of the module docstring for calls arriving in [since, until), for the center, one agent
    or one team (its members' figures together; TeamNotFoundError for an unknown team).
    `detect_complaints`: given answered hotline call ids, those whose transcript holds a caller's
    complaint (None: marked complaints only)."""
    query = select(HotlineCall).where(
        HotlineCall.arrived_at >= since,
        HotlineCall.arrived_at < until,
        HotlineCall.id.not_in(offer_call_ids()),
    )
    agents = {agent_id} if agent_id is not None else teams.team_members(session, team_id) if team_id else None
    if agents is not None:
        query = query.where(HotlineCall.agent_id.in_(agents), HotlineCall.answered_at.is_not(None))
    calls = list(session.scalars(query))
    feedback = {
        f.hotline_call_id: f
        for f in session.scalars(
            select(CallFeedback).where(CallFeedback.hotline_call_id.in_([c.id for c in calls]))
        )
    }
    answered = [c for c in calls if c.answered_at is not None]
    abandoned = sum(1 for c in calls if c.state == "abandoned" and c.answered_at is None)
    waits = [(c.answered_at - c.arrived_at).total_seconds() for c in answered if c.answered_at is not None]
    scores = [f.satisfaction for f in feedback.values() if f.satisfaction is not None]
    marked = {c.id for c in answered if (f := feedback.get(c.id)) is not None and f.complaint}
    detected = detect_complaints([c.id for c in answered]) if detect_complaints and answered else set()
    complaints = len(marked | detected)
    decided, resolved = _first_contact(session, answered, feedback, now=now, window=fcr_window)
    first_words = _first_agent_words(session, [c.id for c in answered])
    if agents is None:
        escalated = escalations.escalated_calls(session, [c.id for c in answered])
        handled = len(answered)
    else:
        escalated = escalations.calls_escalated_by(session, agents, since=since, until=until)
        handled = len({c.id for c in answered} | escalated)
    return KpiReport(
        since=since.isoformat(),
        until=until.isoformat(),
        agent_id=agent_id,
        team_id=team_id,
        offered=len(calls),
        answered=len(answered),
        abandoned=abandoned,
        abandonment_rate=_share(abandoned, len(calls)),
        asa_s=sum(waits) / len(waits) if waits else None,
        recorded=len(first_words),
        first_word_s=sum(first_words) / len(first_words) if first_words else None,
        service_level=_share(sum(1 for w in waits if w <= sl_target_s), len(calls)),
        sl_target_s=sl_target_s,
        surveyed=len(scores),
        satisfaction_mean=sum(scores) / len(scores) if scores else None,
        satisfied_share=_share(sum(1 for s in scores if s >= satisfied_from), len(scores)),
        fcr_decided=decided,
        fcr_resolved=resolved,
        fcr_rate=_share(resolved, decided),
        complaints=complaints,
        complaints_detected=len(detected),
        complaint_rate=_share(complaints, len(answered)),
        escalated=len(escalated),
        escalation_rate=_share(len(escalated), handled),
    )


def need_of(ivr_choice: str | None, skills: dict[str, int]) -> str:
    """What the caller called about: the IVR choice, or the required skills when there was none."""
    return f"ivr:{ivr_choice}" if ivr_choice is not None else "skills:" + ",".join(sorted(skills))


def _first_contact(
    session: Session,
    answered: list[HotlineCall],
    feedback: dict[int, CallFeedback],
    *,
    now: datetime,
    window: timedelta,
) -> tuple[int, int]:
    """(decided, resolved at first contact) among `answered` (see the module docstring)."""
    decided_calls = [c for c in answered if c.arrived_at + window <= now]
    if not decided_calls:
        return 0, 0
    numbers = {c.caller_number for c in decided_calls}
    later = session.execute(
        select(
            HotlineCall.caller_number,
            HotlineCall.arrived_at,
            HotlineCall.ivr_choice,
            HotlineCall.skills,
        ).where(
            HotlineCall.caller_number.in_(numbers),
            HotlineCall.arrived_at > min(c.arrived_at for c in decided_calls),
            HotlineCall.id.not_in(offer_call_ids()),
        )
    )
    arrivals: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for number, at, ivr, skills in later:
        arrivals[(number, need_of(ivr, skills))].append(at)
    resolved = 0
    for call in decided_calls:
        repeat = any(
            call.arrived_at < at <= call.arrived_at + window
            for at in arrivals[(call.caller_number, need_of(call.ivr_choice, call.skills))]
        )
        marked = feedback.get(call.id)
        resolved += not repeat and not (marked is not None and marked.resolved is False)
    return len(decided_calls), resolved


def _first_agent_words(session: Session, hotline_call_ids: list[int]) -> list[float]:
    """Per recorded call linked to one of `hotline_call_ids`: seconds to the agent's first segment."""
    if not hotline_call_ids:
        return []
    rows = session.execute(
        select(func.min(TranscriptSegment.start_s))
        .join(Call, Call.id == TranscriptSegment.call_id)
        .where(Call.hotline_call_id.in_(hotline_call_ids), TranscriptSegment.speaker == "agent")
        .group_by(Call.id)
    )
    return [float(first) for (first,) in rows if first is not None]


def _call(session: Session, hotline_call_id: int) -> HotlineCall:
    call = session.get(HotlineCall, hotline_call_id)
    if call is None:
        raise FeedbackNotFoundError(f"hotline call {hotline_call_id} not found")
    return call


def _feedback(session: Session, hotline_call_id: int) -> CallFeedback:
    feedback = session.get(CallFeedback, hotline_call_id)
    if feedback is None:
        feedback = CallFeedback(hotline_call_id=hotline_call_id, complaint=False)
        session.add(feedback)
    return feedback


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
