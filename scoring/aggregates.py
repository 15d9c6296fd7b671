"""Agent aggregates over effective scores (human verdicts where a review exists, else the machine's):
rolling 7/30/90-day averages, per-item pass rates, trend, team percentile, and the KPIs the data holds.
Times are UTC; scores 0–100; rates 0–1."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Agent, Call, CallScore, Dispute, ManualScore, QAResult, Review
from qa.service import read_analysis
from scoring.effective import effective_total, effective_verdicts, is_reviewed
from scoring.queue import QueueFilter, count_queue
from scoring.scorecard import Scorecard
from scoring.service import read_score
from scoring.workflow import list_disputes

WINDOWS_DAYS = (7, 30, 90)


@dataclass(frozen=True)
class ScoredCall:
    call_id: int
    agent_id: int
    at: datetime
    total: float
    reviewed: bool
    verdicts: dict[str, bool | None]
    duration_s: float
    caller_end: str | None


@dataclass
class AgentSummary:
    agent_id: int
    name: str
    averages: dict[int, float | None]
    counts: dict[int, int]
    item_pass_rates: dict[str, float]
    trend: float | None
    percentile: float | None
    kpis: dict[str, float | int | None]
    recent: list[ScoredCall] = field(default_factory=list)
    series: list[tuple[datetime, float]] = field(default_factory=list)
    composite: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "averages": {f"{d}d": None if v is None else round(v, 1) for d, v in self.averages.items()},
            "counts": {f"{d}d": n for d, n in self.counts.items()},
            "item_pass_rates": {k: round(v, 3) for k, v in self.item_pass_rates.items()},
            "trend": None if self.trend is None else round(self.trend, 1),
            "team_percentile": None if self.percentile is None else round(self.percentile, 1),
            "kpis": self.kpis,
            "composite": self.composite,
            "recent": [
                {"call_id": c.call_id, "at": c.at.isoformat(), "total": c.total, "reviewed": c.reviewed}
                for c in self.recent
            ],
        }


def scored_calls(
    session: Session, *, since: datetime, until: datetime | None = None, agent_id: int | None = None
) -> list[ScoredCall]:
    """Every scored call started in [`since`, `until`] (no upper bound when `until` is None) with its
    effective score and verdicts, oldest first; a call with no speech from the agent counts only once a
    reviewer has scored it."""
    stmt = (
        select(Call, CallScore, Review, QAResult)
        .join(CallScore, CallScore.call_id == Call.id)
        .outerjoin(Review, Review.call_id == Call.id)
        .outerjoin(QAResult, QAResult.call_id == Call.id)
        .where(Call.agent_id.is_not(None), Call.started_at >= since)
        .options(selectinload(Call.recording))
        .order_by(Call.started_at, Call.id)
    )
    if until is not None:
        stmt = stmt.where(Call.started_at <= until)
    if agent_id is not None:
        stmt = stmt.where(Call.agent_id == agent_id)
    out: list[ScoredCall] = []
    for call, row, review, qa in session.execute(stmt):
        score = read_score(row)
        done = is_reviewed(review)
        analysis = read_analysis(qa) if qa is not None else None
        if analysis is not None and analysis.status == "no_speech" and not done:
            continue  # no speech, no score: a machine total of nothing heard is not the agent's
        caller = analysis.sentiment.get("caller") if analysis is not None else None
        out.append(
            ScoredCall(
                call_id=call.id,
                agent_id=call.agent_id or 0,
                at=call.started_at,
                total=effective_total(score, review),
                reviewed=done,
                verdicts=effective_verdicts(score, review if done else None),
                duration_s=call.recording.duration_s if call.recording else 0.0,
                caller_end=caller.end if caller is not None else None,
            )
        )
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def agent_summaries(
    session: Session, scorecard: Scorecard, *, now: datetime | None = None
) -> dict[int, AgentSummary]:
    """Summaries of every active agent (computed together: percentiles need the whole team); the
    monthly composite as `scorecard` defines it."""
    now = now or datetime.now(UTC)
    # Bounded above too: a summary "as of" a past moment must not count calls that came after it.
    calls = scored_calls(session, since=now - timedelta(days=max(WINDOWS_DAYS)), until=now)
    agents = session.scalars(select(Agent).where(Agent.active).order_by(Agent.name)).all()
    by_agent: dict[int, list[ScoredCall]] = {a.id: [] for a in agents}
    for c in calls:
        by_agent.setdefault(c.agent_id, []).append(c)
    month = {
        aid: _mean([c.total for c in cs if c.at >= now - timedelta(days=30)]) for aid, cs in by_agent.items()
    }
    team = sorted(v for v in month.values() if v is not None)
    disputes = dict.fromkeys(by_agent, 0)
    for (call_agent,) in session.execute(
        select(Call.agent_id)
        .join(Dispute, Dispute.call_id == Call.id)
        .where(Dispute.created_at >= now - timedelta(days=30), Dispute.created_at <= now)
    ):
        if call_agent in disputes:
            disputes[call_agent] += 1
    summaries: dict[int, AgentSummary] = {}
    for agent in agents:
        mine = by_agent.get(agent.id, [])
        windows = {d: [c for c in mine if c.at >= now - timedelta(days=d)] for d in WINDOWS_DAYS}
        items: dict[str, list[bool]] = {}
        for c in windows[90]:
            for item, passed in c.verdicts.items():
                if passed is not None:
                    items.setdefault(item, []).append(passed)
        previous = _mean(
            [c.total for c in mine if now - timedelta(days=60) <= c.at < now - timedelta(days=30)]
        )
        current = month.get(agent.id)
        last30 = windows[30]
        summaries[agent.id] = AgentSummary(
            agent_id=agent.id,
            name=agent.name,
            averages={d: _mean([c.total for c in cs]) for d, cs in windows.items()},
            counts={d: len(cs) for d, cs in windows.items()},
            item_pass_rates={k: sum(v) / len(v) for k, v in sorted(items.items())},
            trend=None if current is None or previous is None else current - previous,
            percentile=None if current is None else 100.0 * sum(1 for v in team if v <= current) / len(team),
            kpis={
                "handled_calls_30d": len(last30),
                "avg_handle_time_s": _mean([c.duration_s for c in last30]),
                "negative_end_rate_30d": _mean([float(c.caller_end == "neg") for c in last30]),
                "disputes_30d": disputes.get(agent.id, 0),
                "reviewed_share_30d": _mean([float(c.reviewed) for c in last30]),
            },
            recent=list(reversed(mine[-10:])),
            series=[(c.at, c.total) for c in windows[90]],
            composite=monthly_composite(session, agent.id, mine, now.strftime("%Y-%m"), scorecard),
        )
    return summaries


def monthly_composite(
    session: Session, agent_id: int, calls: list[ScoredCall], month: str, scorecard: Scorecard
) -> dict[str, Any]:
    """Skills = mean call score of the month; attitude = pass rate (×100) of the scorecard's attitude
    items; knowledge and performance = what QA staff entered. The composite needs all four (and weights)."""
    in_month = [c for c in calls if c.at.strftime("%Y-%m") == month]
    attitude = [
        float(bool(c.verdicts[i]))
        for c in in_month
        for i in scorecard.attitude_items
        if c.verdicts.get(i) is not None
    ]
    manual = _manual(session, agent_id, month)
    parts: dict[str, float | None] = {
        "knowledge": manual.knowledge if manual else None,
        "skills": _mean([c.total for c in in_month]),
        "attitude": 100 * a if (a := _mean(attitude)) is not None else None,
        "performance": manual.performance if manual else None,
    }
    weights = scorecard.composite_weights
    missing = [k for k, v in parts.items() if v is None] + ([] if weights else ["weights"])
    total = None if missing else sum(weights[k] * (v or 0.0) for k, v in parts.items())
    return {
        "month": month,
        "parts": {k: None if v is None else round(v, 1) for k, v in parts.items()},
        "weights": weights,
        "composite": None if total is None else round(total, 1),
        "missing": missing,
    }


@dataclass
class TeamOverview:
    """Agents ranked by 30-day score (unscored last), team pass rate per item, open queue counts."""

    ranked: list[AgentSummary]
    item_pass_rates: dict[str, float]
    flagged_open: int
    disputes_open: int


def team_overview(
    session: Session, scorecard: Scorecard, *, now: datetime | None = None, agent_ids: list[int] | None = None
) -> TeamOverview:
    """The overview of every agent, or of `agent_ids` only (a supervisor's team; percentiles stay
    against every active agent)."""
    summaries = agent_summaries(session, scorecard, now=now)
    ranked = sorted(
        (s for a, s in summaries.items() if agent_ids is None or a in agent_ids),
        key=lambda s: -(s.averages[30] if s.averages[30] is not None else -1),
    )
    items: dict[str, list[float]] = {}
    for s in ranked:
        for item, rate in s.item_pass_rates.items():
            items.setdefault(item, []).append(rate)
    return TeamOverview(
        ranked=ranked,
        item_pass_rates={k: sum(v) / len(v) for k, v in items.items()},
        flagged_open=count_queue(
            session, QueueFilter(state="open", agent_ids=None if agent_ids is None else tuple(agent_ids))
        ),
        disputes_open=len(list_disputes(session, agent_ids=agent_ids)),
    )


def set_manual_scores(
    session: Session,
    *,
    agent_id: int,
    month: str,
    knowledge: float | None,
    performance: float | None,
    entered_by: int,
) -> ManualScore:
    """Store (or replace) the manual parts of an agent's monthly composite (0–100 each). Flushes."""
    row = session.scalar(
        select(ManualScore).where(ManualScore.agent_id == agent_id, ManualScore.month == month)
    )
    if row is None:
        row = ManualScore(agent_id=agent_id, month=month)
        session.add(row)
    row.knowledge, row.performance, row.entered_by = knowledge, performance, entered_by
    session.flush()
    return row


def _manual(session: Session, agent_id: int, month: str) -> ManualScore | None:
    return session.scalar(
        select(ManualScore).where(ManualScore.agent_id == agent_id, ManualScore.month == month)
    )
