"""Pydantic models of the QA workspace's JSON routes: calibration sessions and sets, an evaluation's history
and comment thread, and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import ORMModel
from scoring.calibration import CalibrationResults
from scoring.calibration_agreement import MACHINE, SetSummary

Verdict = Literal["pass", "fail", "na"]


class CalibrationCreate(BaseModel):
    call_id: int = Field(ge=1)
    title: str = Field(default="", max_length=120)
    member_ids: list[int] = Field(min_length=2, max_length=50, description="Reviewers (user ids) who score.")
    expert_id: int | None = Field(default=None, description="The member whose verdicts are the key.")


class CalibrationVerdictIn(BaseModel):
    verdict: Verdict
    comment: str = Field(default="", max_length=2000)


class CalibrationScoresIn(BaseModel):
    verdicts: dict[str, CalibrationVerdictIn] = Field(description="Scorecard item -> verdict, every item.")


class CalibrationMemberRead(BaseModel):
    user_id: int
    username: str
    submitted: bool


class ItemResultRead(BaseModel):
    item: str
    label: str
    verdicts: dict[int, Verdict] = Field(description="Member user id -> verdict.")
    key: Verdict | None = Field(description="The expert's verdict, else the majority's; none on a tie.")
    agreeing: int
    machine: Verdict
    machine_agrees: bool | None


class MemberResultRead(BaseModel):
    user_id: int
    differing: int = Field(description="Items where the member's verdict is not the key.")
    kappa: float | None = Field(description="Cohen's kappa against the key over the items.")


class CalibrationResultsRead(BaseModel):
    items: list[ItemResultRead]
    members: list[MemberResultRead]
    pairwise_kappa: float | None = Field(description="Mean Cohen's kappa over every pair of members.")
    machine_agreement: float | None = Field(description="Share (0-1) of keyed items the machine matched.")

    @classmethod
    def of(cls, results: CalibrationResults, labels: dict[str, str]) -> CalibrationResultsRead:
        return cls(
            items=[
                ItemResultRead(
                    item=r.item,
                    label=labels.get(r.item, r.item),
                    verdicts=r.verdicts,
                    key=r.key,
                    agreeing=r.agreeing,
                    machine=r.machine,
                    machine_agrees=r.machine_agrees,
                )
                for r in results.items
            ],
            members=[
                MemberResultRead(user_id=m.user_id, differing=m.differing, kappa=m.kappa)
                for m in results.members
            ],
            pairwise_kappa=results.pairwise_kappa,
            machine_agreement=results.machine_agreement,
        )


class CalibrationRead(BaseModel):
    id: int
    call_id: int
    title: str
    state: Literal["open", "revealed"]
    expert_id: int | None
    created_by: int | None
    created_at: datetime
    members: list[CalibrationMemberRead]
    mine: dict[str, CalibrationVerdictIn] = Field(
        description="The caller's own verdicts (blind: only these)."
    )
    results: CalibrationResultsRead | None = Field(description="Once revealed; none while scoring is blind.")


class CalibrationSetCallRead(BaseModel):
    call_id: int
    session_id: int = Field(description="The call's calibration session (/api/calibrations/{id}).")
    submitted: list[int] = Field(
        description="Members (user ids) who submitted on this call: who, never what."
    )


class CalibrationSetRead(BaseModel):
    id: int
    title: str
    state: Literal["open", "revealed"]
    expert_id: int | None
    created_by: int | None
    created_at: datetime
    revealed_at: datetime | None
    members: list[int] = Field(description="Reviewers (user ids), the same on every call.")
    calls: list[CalibrationSetCallRead]


class RaterSummaryRead(BaseModel):
    """A reviewer, or the machine (`user_id` none), against the key across the set's calls."""

    user_id: int | None
    name: str
    compared: int = Field(description="Keyed (call, item) verdicts of theirs.")
    agreement: float | None = Field(description="Share (0-1) of them equal to the key.")
    kappa: float | None = Field(description="Cohen's kappa against the key; none when undefined.")
    total_bias: float | None = Field(description="Mean of their 0-100 total minus the key's (points).")
    total_deviation: float | None = Field(description="Mean absolute difference of those totals (points).")
    calls: int = Field(description="Calls their totals were compared on.")


class ItemSummaryRead(BaseModel):
    item: str
    label: str
    keyed_calls: int
    agreement: float | None = Field(description="Share (0-1) of reviewers' verdicts equal to the key.")
    fleiss_kappa: float | None
    machine_agreement: float | None = Field(description="Share (0-1) of keyed calls the machine matched.")


class CalibrationSetSummaryRead(BaseModel):
    """A revealed set's summary across its calls, as its page and CSV show it."""

    set_id: int
    raters: list[RaterSummaryRead] = Field(description="Every reviewer who submitted, then the machine.")
    items: list[ItemSummaryRead]
    fleiss_kappa: float | None = Field(description="Over every (call, item) scored by two or more.")
    pairwise_kappa: float | None = Field(description="Mean Cohen's kappa over every pair of reviewers.")

    @classmethod
    def of(
        cls, set_id: int, summary: SetSummary, names: dict[int, str], labels: dict[str, str]
    ) -> CalibrationSetSummaryRead:
        return cls(
            set_id=set_id,
            raters=[
                RaterSummaryRead(
                    user_id=None if r.rater_id == MACHINE else r.rater_id,
                    name="the machine" if r.rater_id == MACHINE else names.get(r.rater_id, ""),
                    compared=r.compared,
                    agreement=r.agreement,
                    kappa=r.kappa,
                    total_bias=r.total_bias,
                    total_deviation=r.total_deviation,
                    calls=r.calls,
                )
                for r in summary.raters
            ],
            items=[
                ItemSummaryRead(
                    item=i.item,
                    label=labels.get(i.item, i.item),
                    keyed_calls=i.keyed_calls,
                    agreement=i.agreement,
                    fleiss_kappa=i.fleiss_kappa,
                    machine_agreement=i.machine_agreement,
                )
                for i in summary.items
            ],
            fleiss_kappa=summary.fleiss_kappa,
            pairwise_kappa=summary.pairwise_kappa,
        )


class EventRead(ORMModel):
    """One step of an evaluation's history (append-only)."""

    id: int
    kind: str
    item: str | None
    before: str | None
    after: str | None
    actor_id: int | None
    note: str
    total: float | None
    at: datetime


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class CommentRead(ORMModel):
    id: int
    call_id: int
    author_id: int | None
    body: str
    created_at: datetime


class NotificationRead(ORMModel):
    id: int
    kind: str
    call_id: int | None
    text: str
    created_at: datetime
    read_at: datetime | None


class NotificationsRead(BaseModel):
    unread: int
    notifications: list[NotificationRead]


class SamplingPlanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    reviewer_id: int | None = Field(
        default=None, description="Who the drawn reviews go to; None: unassigned."
    )
    team_id: int | None = Field(default=None, description="Only this team's agents; None: every agent.")
    calls_per_agent: int = Field(ge=1, le=100)
    period: Literal["day", "week", "month"] = "week"
    max_score: float | None = Field(default=None, ge=0, le=100, description="Only calls scored at most this.")
    min_duration_s: float | None = Field(default=None, ge=0, description="Only calls at least this long (s).")


class SamplingPlanRead(ORMModel):
    id: int
    name: str
    reviewer_id: int | None
    team_id: int | None
    calls_per_agent: int
    period: str
    max_score: float | None
    min_duration_s: float | None
    active: bool
    period_start: datetime
    period_end: datetime
    drawn: int = Field(description="Calls drawn in the current period.")
    reviewed: int = Field(description="Of those, reviewed.")
    target: int = Field(description="calls_per_agent × agents in scope.")


class SamplingDrawRead(BaseModel):
    plan: SamplingPlanRead
    review_ids: list[int] = Field(description="The reviews this draw added to the queue.")
