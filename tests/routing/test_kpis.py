"""The KPI definitions (routing/kpis.py) on stored hotline calls and feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from models import Call, HotlineCall, TranscriptSegment
from routing.kpis import (
    FeedbackError,
    FeedbackNotFoundError,
    FeedbackStateError,
    compute_kpis,
    record_disposition,
    record_survey,
)
from tests.conftest import create_agent

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def _call(
    session: Session,
    number: str,
    at: datetime,
    *,
    wait_s: float | None,
    agent_id: int | None = None,
    ivr: str | None = "1",
    skills: dict[str, int] | None = None,
) -> HotlineCall:
    """A call that waited `wait_s` and ended, or was abandoned (wait None)."""
    answered = at + timedelta(seconds=wait_s) if wait_s is not None else None
    row = HotlineCall(
        caller_number=number,
        ivr_choice=ivr,
        skills=skills or {"billing": 1},
        state="ended" if answered else "abandoned",
        agent_id=agent_id if answered else None,
        arrived_at=at,
        answered_at=answered,
        ended_at=(answered or at) + timedelta(minutes=3),
        excluded=[],
    )
    session.add(row)
    session.flush()
    return row


def _kpis(session: Session, **kwargs: object) -> dict[str, object]:
    report = compute_kpis(
        session,
        since=T0,
        until=T0 + timedelta(days=1),
        now=T0 + timedelta(days=30),
        fcr_window=WEEK,
        sl_target_s=20.0,
        **kwargs,  # type: ignore[arg-type]
    )
    return vars(report)


def test_volume_speed_and_service_level(session: Session) -> None:
    tom = create_agent(session)
    _call(session, "+1 555 0001", T0, wait_s=10, agent_id=tom.id)
    _call(session, "+1 555 0002", T0 + timedelta(hours=1), wait_s=50, agent_id=tom.id)
    _call(session, "+1 555 0003", T0 + timedelta(hours=2), wait_s=None)
    _call(session, "+1 555 0004", T0 + timedelta(days=2), wait_s=5, agent_id=tom.id)  # outside the period
    k = _kpis(session)
    assert (k["offered"], k["answered"], k["abandoned"]) == (3, 2, 1)
    assert k["abandonment_rate"] == pytest.approx(1 / 3)
    assert k["asa_s"] == pytest.approx(30.0)
    assert k["service_level"] == pytest.approx(1 / 3)  # one of three offered answered within 20 s


def test_a_caller_who_hangs_up_waiting_after_an_escalation_was_answered_not_abandoned(
    session: Session,
) -> None:
    tom = create_agent(session)
    escalated = _call(session, "+1 555 0005", T0, wait_s=10, agent_id=tom.id)
    escalated.state = "abandoned"  # the first-line agent answered, escalated; the caller left the next queue
    _call(session, "+1 555 0006", T0 + timedelta(hours=1), wait_s=None)
    k = _kpis(session)
    assert (k["offered"], k["answered"], k["abandoned"]) == (2, 1, 1)
    assert k["abandonment_rate"] == pytest.approx(1 / 2)


def test_satisfaction_from_survey_digits(session: Session) -> None:
    calls = [_call(session, f"+1 555 01{i}", T0 + timedelta(minutes=i), wait_s=3) for i in range(4)]
    for call, digit in zip(calls, (5, 4, 2, 1), strict=True):
        record_survey(session, call.id, digit=digit, now=T0)
    k = _kpis(session)
    assert (k["surveyed"], k["satisfaction_mean"], k["satisfied_share"]) == (4, 3.0, 0.5)
    with pytest.raises(FeedbackStateError, match="already"):
        record_survey(session, calls[0].id, digit=3, now=T0)
    with pytest.raises(FeedbackError):
        record_survey(session, calls[0].id, digit=6, now=T0)
    waiting = HotlineCall(caller_number="+1", state="waiting", arrived_at=T0, skills={}, excluded=[])
    session.add(waiting)
    session.flush()
    with pytest.raises(FeedbackStateError, match="waiting"):
        record_survey(session, waiting.id, digit=4, now=T0)
    with pytest.raises(FeedbackNotFoundError):
        record_survey(session, 10**6, digit=4, now=T0)


def test_first_contact_resolution_and_complaints(session: Session) -> None:
    tom, ann = create_agent(session, "Tom"), create_agent(session, "Ann")
    # Called again about the same need within the week: not resolved at first contact.
    _call(session, "+1 555 0200", T0, wait_s=5, agent_id=tom.id)
    _call(session, "+1 555 0200", T0 + timedelta(days=3), wait_s=5, agent_id=ann.id)
    # Called again, but about something else (another IVR choice): resolved.
    _call(session, "+1 555 0201", T0 + timedelta(hours=1), wait_s=5, agent_id=tom.id)
    _call(session, "+1 555 0201", T0 + timedelta(days=1), wait_s=5, agent_id=ann.id, ivr="2")
    # Called again about the same need, but after the window: resolved.
    _call(session, "+1 555 0202", T0 + timedelta(hours=2), wait_s=5, agent_id=tom.id)
    _call(session, "+1 555 0202", T0 + timedelta(days=9), wait_s=5, agent_id=ann.id)
    # No repeat, but the agent says the need was not met, and the caller complained.
    unmet = _call(session, "+1 555 0203", T0 + timedelta(hours=3), wait_s=5, agent_id=ann.id)
    record_disposition(session, unmet.id, resolved=False, complaint=True, agent_id=ann.id, now=T0)
    k = _kpis(session)
    assert (k["fcr_decided"], k["fcr_resolved"]) == (4, 2)
    assert (k["complaints"], k["complaint_rate"]) == (1, 0.25)
    toms = _kpis(session, agent_id=tom.id)
    assert (toms["answered"], toms["fcr_resolved"], toms["fcr_rate"], toms["complaints"]) == (3, 2, 2 / 3, 0)
    assert toms["offered"] == 3  # an agent's figures are over the calls they answered
    # A call whose window is still open is pending, not counted either way.
    recent = compute_kpis(
        session,
        since=T0,
        until=T0 + timedelta(days=1),
        now=T0 + timedelta(days=2),
        fcr_window=WEEK,
        sl_target_s=20,
    )
    assert recent.fcr_decided == 0 and recent.fcr_rate is None
    never = _call(session, "+1 555 0204", T0, wait_s=None)
    with pytest.raises(FeedbackStateError, match="never answered"):
        record_disposition(session, never.id, resolved=True, complaint=False, agent_id=None, now=T0)


def test_time_to_the_first_agent_word_from_the_recording(session: Session) -> None:
    tom = create_agent(session)
    recorded = _call(session, "+1 555 0300", T0, wait_s=4, agent_id=tom.id)
    _call(session, "+1 555 0301", T0 + timedelta(minutes=5), wait_s=4, agent_id=tom.id)  # no recording
    call = Call(agent_id=tom.id, hotline_call_id=recorded.id, status="scored")
    session.add(call)
    session.flush()
    for speaker, start in (("caller", 0.4), ("agent", 2.5), ("agent", 6.0)):
        session.add(
            TranscriptSegment(call_id=call.id, speaker=speaker, start_s=start, end_s=start + 1, text="hi")
        )
    session.flush()
    k = _kpis(session)
    assert (k["recorded"], k["first_word_s"]) == (1, 2.5)


def test_complaints_marked_by_the_agent_or_said_in_the_transcript(session: Session) -> None:
    tom = create_agent(session)
    marked = _call(session, "+1 555 0400", T0, wait_s=4, agent_id=tom.id)
    said = _call(session, "+1 555 0401", T0 + timedelta(minutes=5), wait_s=4, agent_id=tom.id)
    both = _call(session, "+1 555 0402", T0 + timedelta(minutes=9), wait_s=4, agent_id=tom.id)
    _call(session, "+1 555 0403", T0 + timedelta(minutes=12), wait_s=4, agent_id=tom.id)
    for row in (marked, both):
        record_disposition(session, row.id, resolved=True, complaint=True, agent_id=tom.id, now=T0)
    asked: list[list[int]] = []

    def detector(ids: list[int]) -> set[int]:
        asked.append(ids)
        return {said.id, both.id}

    k = _kpis(session, detect_complaints=detector)
    assert (k["complaints"], k["complaints_detected"], k["complaint_rate"]) == (3, 2, 0.75)
    assert sorted(asked[0]) == sorted([marked.id, said.id, both.id, marked.id + 3])  # the answered calls
    assert _kpis(session)["complaints"] == 2  # without a detector: marked only
