"""The review workflow on a real database: flagging, sampling, human verdicts, agreement,
and agent aggregates built on effective (human-corrected) scores."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from callqa.services.processing import flag_severity
from callqa.settings import Settings
from models import Call, User
from qa.analysis import CallAnalysis
from qa.checks import State
from qa.sentiment import Label
from qa.service import load_analysis
from scoring.aggregates import agent_summaries
from scoring.exceptions import ReviewError
from scoring.queue import list_queue
from scoring.review import (
    SAMPLE_REASON,
    Decision,
    agreement,
    flag_call,
    flag_reasons,
    submit_review,
)
from scoring.scorecard import load_scorecard, score_verdicts, scores_remark_kinds
from scoring.versions import sync_from_yaml
from tests.conftest import create_agent, create_scored_call, make_analysis

CARD = load_scorecard(None)
WEIGHTS = flag_severity(Settings())
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def scored_call(
    session: Session,
    agent_id: int,
    verdicts: dict[str, bool | None],
    *,
    at: datetime = NOW,
    uncertain: bool = False,
    caller_end: Label = "neu",
) -> Call:
    greeting: State = "uncertain" if uncertain else ("pass" if verdicts.get("greeting") else "fail")
    analysis = make_analysis({"greeting": greeting}, caller_end=caller_end)
    return create_scored_call(session, agent_id, verdicts, at=at, analysis=analysis)


def user(session: Session, name: str, role: str = "qa") -> int:
    row = User(username=name, password_hash="-", role=role)
    session.add(row)
    session.flush()
    return row.id


GOOD = {"greeting": True, "closing": True, "courtesy": True, "empathy": None, "no_dead_air": True}


def test_flag_reasons_and_severity() -> None:
    score = score_verdicts({**GOOD, "courtesy": False, "greeting": False}, CARD)
    analysis = make_analysis({"greeting": "fail", "closing": "uncertain"}, caller_end="neg")
    reasons, severity = flag_reasons(score, analysis, WEIGHTS)
    assert reasons == [
        "critical item failed: courtesy",
        "uncertain verdict: closing",
        "caller sentiment ended negative",
    ]
    assert severity == 6
    assert flag_reasons(score_verdicts(GOOD, CARD), make_analysis(), WEIGHTS) == ([], 0)


def test_uncertain_violation_is_a_flag_reason() -> None:
    analysis = make_analysis(
        {"greeting": "pass"}, violations=[("rude", "uncertain"), ("blame_customer", "fail")]
    )
    assert flag_reasons(score_verdicts(GOOD, CARD), analysis, WEIGHTS) == (["uncertain verdict: rude"], 1)


@pytest.mark.parametrize(
    ("analysis", "reason"),
    [
        (make_analysis({"greeting": "uncertain"}), "uncertain verdict: greeting"),
        (make_analysis(violations=[("rude", "uncertain")]), "uncertain verdict: rude"),
        (make_analysis(caller_end="neg"), "caller sentiment ended negative"),
    ],
)
def test_a_stored_analysis_flags_the_call_it_belongs_to(
    session: Session, analysis: CallAnalysis, reason: str
) -> None:
    """Flagging reads the record as stored: a drifting stored key or shape loses the flag and fails here."""
    call = create_scored_call(session, create_agent(session).id, GOOD, at=NOW, analysis=analysis)
    review = flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
    assert review is not None and review.reasons == [reason]


def test_a_certain_remark_of_a_guessed_kind_is_doubted_only_where_the_scorecard_scores_kinds(
    session: Session,
) -> None:
    """A model-only remark certain by a point for any kind (`Violation.category_sure` False): that a remark
    was said decides the default card's courtesy item (any kind), so nothing is left to a person; on a card
    with an item of one kind, that item rests on the model's guess of the kind."""
    certain = make_analysis({"greeting": "pass"}, violations=[("rude", "fail")])
    guessed = replace(certain, violations=[replace(certain.violations[0], category_sure=False)])
    score = score_verdicts({**GOOD, "courtesy": False}, CARD)
    failed = (["critical item failed: courtesy"], WEIGHTS.critical_failed)
    assert not scores_remark_kinds(CARD)
    assert flag_reasons(score, guessed, WEIGHTS, remark_kinds_scored=False) == failed
    assert flag_reasons(score, certain, WEIGHTS) == failed
    assert flag_reasons(score, guessed, WEIGHTS) == (
        ["critical item failed: courtesy", "uncertain verdict: rude"],
        WEIGHTS.critical_failed + WEIGHTS.uncertain,
    )
    by_kind = replace(
        CARD, items=(*CARD.items, replace(CARD.items[2], id="not_rude", verdict="no_violations:rude"))
    )
    assert scores_remark_kinds(by_kind)
    # flag_call reads the card the score was made with: the stored default card scores no kind alone.
    sync_from_yaml(session, CARD)
    call = create_scored_call(
        session, create_agent(session).id, {**GOOD, "courtesy": False}, analysis=guessed
    )
    review = flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
    assert review is not None and review.reasons == ["critical item failed: courtesy"]


def test_a_script_without_greeting_or_closing_checks_is_stored_and_flagged(session: Session) -> None:
    analysis = make_analysis({"opening": "pass", "farewell": "uncertain"})
    call = create_scored_call(session, create_agent(session).id, GOOD, at=NOW, analysis=analysis)
    assert load_analysis(session, call.id) == analysis
    review = flag_call(session, call, weights=WEIGHTS, sample_per_week=0, sample_rate=0.0)
    assert review is not None and review.reasons == ["uncertain verdict: farewell"]


def test_queue_orders_by_severity_then_age_and_sampling_keeps_a_weekly_quota(session: Session) -> None:
    agent = create_agent(session, "Rae Kim")
    rude = scored_call(session, agent.id, {**GOOD, "courtesy": False}, at=NOW)
    unsure = scored_call(session, agent.id, GOOD, at=NOW - timedelta(hours=2), uncertain=True)
    angry = scored_call(session, agent.id, GOOD, at=NOW - timedelta(hours=1), caller_end="neg")
    for call in (unsure, angry, rude):
        assert flag_call(session, call, weights=WEIGHTS, sample_per_week=2, sample_rate=0.0) is not None
    queue = [c.id for _, c in list_queue(session)]
    assert queue == [rude.id, angry.id, unsure.id]

    always = random.Random(0)
    clean = [scored_call(session, agent.id, GOOD) for _ in range(4)]
    sampled = [
        flag_call(session, c, weights=WEIGHTS, sample_per_week=2, sample_rate=1.0, rng=always) for c in clean
    ]
    assert [r is not None for r in sampled] == [True, True, False, False]
    assert sampled[0] is not None and sampled[0].reasons == [SAMPLE_REASON] and sampled[0].sampled
    assert (
        flag_call(
            session, scored_call(session, agent.id, GOOD), weights=WEIGHTS, sample_per_week=2, sample_rate=0.0
        )
        is None
    )


def test_reviewer_overrides_replace_machine_verdicts_in_the_final_score(session: Session) -> None:
    agent = create_agent(session, "Sam Ode")
    call = scored_call(session, agent.id, {**GOOD, "courtesy": False})
    review = flag_call(session, call, weights=WEIGHTS, sample_per_week=2, sample_rate=0.0)
    assert review is not None and review.machine_total == 40.0  # critical cap
    reviewer = user(session, "rev")
    final = submit_review(
        session,
        review,
        reviewer_id=reviewer,
        decisions={"courtesy": Decision(True, "quoting the caller, not rude")},
        scorecard=CARD,
    )
    assert final == 100.0 and review.state == "done"
    [verdict] = review.verdicts
    assert (verdict.machine_passed, verdict.human_passed, verdict.comment) == (
        False,
        True,
        "quoting the caller, not rude",
    )
    with pytest.raises(ReviewError, match="unknown scorecard items"):
        submit_review(
            session, review, reviewer_id=reviewer, decisions={"charisma": Decision(True)}, scorecard=CARD
        )
    assert agreement(session)["courtesy"] == {"reviewed": 1, "agreed": 0, "rate": 0.0}


def test_agent_aggregates_windows_trend_and_team_percentile(session: Session) -> None:
    ann, bob = create_agent(session, "Ann"), create_agent(session, "Bob")
    for days, verdicts in (
        (1, GOOD),
        (10, {**GOOD, "greeting": False}),
        (45, {**GOOD, "greeting": False, "closing": False}),
    ):
        scored_call(
            session, ann.id, verdicts, at=NOW - timedelta(days=days), caller_end="neg" if days == 1 else "neu"
        )
    scored_call(session, bob.id, {**GOOD, "no_dead_air": False}, at=NOW - timedelta(days=2))
    summaries = agent_summaries(session, CARD, now=NOW)
    a = summaries[ann.id]
    assert a.counts == {7: 1, 30: 2, 90: 3}
    assert a.averages[7] == 100.0 and a.averages[30] == pytest.approx((100 + 100 * 65 / 85) / 2, abs=0.01)
    assert a.item_pass_rates["greeting"] == pytest.approx(1 / 3)
    assert a.trend is not None and a.trend > 0  # better this month than last
    assert a.kpis["handled_calls_30d"] == 2 and a.kpis["negative_end_rate_30d"] == 0.5
    b = summaries[bob.id]
    assert b.percentile == 50.0 and a.percentile == 100.0


def test_monthly_composite_needs_the_manual_parts_and_weights_them(session: Session) -> None:
    from models import ManualScore

    eve = create_agent(session, "Eve")
    scored_call(session, eve.id, GOOD, at=NOW - timedelta(days=1))  # 100, courtesy pass (empathy n/a)
    scored_call(session, eve.id, {**GOOD, "courtesy": False}, at=NOW - timedelta(days=2))  # 40, courtesy fail
    partial = agent_summaries(session, CARD, now=NOW)[eve.id].composite
    assert partial["composite"] is None and partial["missing"] == ["knowledge", "performance"]
    assert partial["parts"]["skills"] == 70.0 and partial["parts"]["attitude"] == 50.0
    session.add(ManualScore(agent_id=eve.id, month=NOW.strftime("%Y-%m"), knowledge=80, performance=90))
    session.flush()
    full = agent_summaries(session, CARD, now=NOW)[eve.id].composite
    assert full["composite"] == pytest.approx(0.2 * 80 + 0.3 * 70 + 0.2 * 50 + 0.3 * 90)


def test_a_call_with_no_agent_speech_is_flagged_and_counts_in_no_average(session: Session) -> None:
    from dataclasses import replace

    agent = create_agent(session, "Noor")
    scored_call(session, agent.id, GOOD)
    silent = replace(make_analysis({"greeting": "uncertain"}), status="no_speech")
    reasons, severity = flag_reasons(score_verdicts({**GOOD, "greeting": False}, CARD), silent, WEIGHTS)
    assert reasons[0].startswith("no speech") and severity >= WEIGHTS.critical_failed
    create_scored_call(
        session, agent.id, {**GOOD, "greeting": False, "closing": False}, at=NOW, analysis=silent
    )
    summary = agent_summaries(session, CARD, now=NOW + timedelta(hours=1))[agent.id]
    assert summary.counts[7] == 1 and summary.averages[7] == 100.0
