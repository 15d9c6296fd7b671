"""The review queue at scale: filters, sort and pages done by the database, so a floor with thousands of
open reviews gets one small page at a time.

Transcript search is a substring test on the transcript segments (case-insensitive: SQLite's LIKE for
ASCII letters, PostgreSQL's ILIKE for all), one pass over the segments per query; there is no full-text
index yet (FTS5 or a tsvector GIN index would need dialect-specific schema that
tests/models/test_schema.py cannot compare).
bench/queue_pages.py measures what it costs with 5,000 open reviews."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC as _UTC
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.orm import Session

from models import Call, Dispute, Review, TranscriptSegment, User
from scoring.exceptions import ReviewError
from scoring.workflow import STAFF_ROLES, may_see_agent

QUEUE_STATES = ("open", "done", "disputed", "all")
REASON_KINDS: dict[str, str] = {
    "critical": "critical item failed",
    "uncertain": "uncertain verdict",
    "negative": "caller sentiment ended negative",
    "no_speech": "no speech from the agent",
    "sample": "random sample",
    "disputed": "disputed",
}
"""Filter key -> the start of the reason text `scoring.review.flag_reasons` (or a dispute) writes."""

SORTS = {
    "severity": (Review.severity.desc(), Review.flagged_at, Review.id),
    "oldest": (Review.flagged_at, Review.id),
    "newest": (Review.flagged_at.desc(), Review.id.desc()),
    "score": (Review.machine_total, Review.id),
    "call_date": (Call.started_at.desc(), Review.id.desc()),
}
"""Sort key -> ORDER BY; the default, `severity`, is the queue index's order."""


@dataclass(frozen=True)
class QueueFilter:
    """Which reviews to list. Dates are days (UTC) of the call's start, both ends included."""

    state: str = "open"
    agent_id: int | None = None
    agent_ids: tuple[int, ...] | None = None
    """Only these agents' calls (a team's scope); None: everyone's."""
    assignee_id: int | None = None
    since: date | None = None
    until: date | None = None
    reason: str = ""
    """A key of REASON_KINDS ("" = any)."""
    min_severity: int | None = None
    search: str = ""
    """Words said in the call (either leg)."""


@dataclass(frozen=True)
class QueuePage:
    rows: list[tuple[Review, Call]]
    total: int
    page: int
    pages: int
    per_page: int


def _filtered(stmt: Select, f: QueueFilter, dialect: str) -> Select:  # type: ignore[type-arg]
    if f.state == "disputed":
        stmt = stmt.where(
            select(Dispute.id).where(Dispute.call_id == Call.id, Dispute.state == "open").exists()
        )
    elif f.state != "all":
        stmt = stmt.where(Review.state == f.state)
    if f.agent_id is not None:
        stmt = stmt.where(Call.agent_id == f.agent_id)
    if f.agent_ids is not None:
        stmt = stmt.where(Call.agent_id.in_(f.agent_ids))
    if f.assignee_id is not None:
        stmt = stmt.where(Review.assignee_id == f.assignee_id)
    if f.since is not None:
        stmt = stmt.where(Call.started_at >= datetime.combine(f.since, time(), tzinfo=_UTC))
    if f.until is not None:
        stmt = stmt.where(
            Call.started_at < datetime.combine(f.until + timedelta(days=1), time(), tzinfo=_UTC)
        )
    if f.reason in REASON_KINDS:
        stmt = stmt.where(cast(Review.reasons, String).like(f"%{REASON_KINDS[f.reason]}%"))
    if f.min_severity is not None:
        stmt = stmt.where(Review.severity >= f.min_severity)
    words = f.search.strip()
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        # SQLite's LIKE ignores ASCII case by itself; lower() on every segment would triple the cost.
        text = TranscriptSegment.text
        said = (
            text.ilike(pattern, escape="\\") if dialect == "postgresql" else text.like(pattern, escape="\\")
        )
        # One pass over the segments for the whole query, not one lookup per candidate review.
        stmt = stmt.where(Call.id.in_(select(TranscriptSegment.call_id).where(said)))
    return stmt


def queue_statement(session: Session, f: QueueFilter, *, sort: str = "severity") -> Select:  # type: ignore[type-arg]
    """(Review, Call) rows the filter matches, in `sort` order (a key of SORTS; unknown keys: severity)."""
    dialect = session.get_bind().dialect.name
    stmt = _filtered(select(Review, Call).join(Call, Call.id == Review.call_id), f, dialect)
    return stmt.order_by(*SORTS.get(sort, SORTS["severity"]))


def count_queue(session: Session, f: QueueFilter) -> int:
    dialect = session.get_bind().dialect.name
    stmt = _filtered(select(func.count(Review.id)).join(Call, Call.id == Review.call_id), f, dialect)
    return session.scalar(stmt) or 0


def queue_page(
    session: Session, f: QueueFilter, *, sort: str = "severity", page: int = 1, per_page: int = 50
) -> QueuePage:
    """One page (1-based; clamped to the last) of the filtered queue in `sort` order, with the total."""
    total = count_queue(session, f)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = queue_statement(session, f, sort=sort).limit(per_page).offset((page - 1) * per_page)
    return QueuePage([(r, c) for r, c in session.execute(stmt)], total, page, pages, per_page)


def iter_queue(
    session: Session, f: QueueFilter, *, sort: str = "severity", batch: int = 500
) -> Iterator[tuple[Review, Call]]:
    """Every review the filter matches, in `sort` order, fetched `batch` rows at a time (for exports)."""
    stmt = queue_statement(session, f, sort=sort).execution_options(yield_per=batch)
    yield from ((review, call) for review, call in session.execute(stmt))


def list_queue(
    session: Session,
    *,
    state: str = "open",
    assignee_id: int | None = None,
    agent_id: int | None = None,
    agent_ids: list[int] | None = None,
) -> list[tuple[Review, Call]]:
    """Reviews in `state` (see scoring.queue.QUEUE_STATES), most severe first, then oldest first;
    `agent_ids` limits them to those agents' calls (see scoring.workflow.visible_agent_ids)."""
    f = QueueFilter(
        state=state,
        assignee_id=assignee_id,
        agent_id=agent_id,
        agent_ids=None if agent_ids is None else tuple(agent_ids),
    )
    return [(r, c) for r, c in session.execute(queue_statement(session, f))]


def assign(session: Session, review: Review, user_id: int | None, *, by: User) -> Review:
    """Give `review` to the staff user `user_id` (None: to nobody). Both `by` and the assignee must be
    allowed to see the call (a supervisor only their team's); ReviewError otherwise."""
    agent_id = session.scalar(select(Call.agent_id).where(Call.id == review.call_id))
    if not may_see_agent(session, by, agent_id):
        raise ReviewError(f"review {review.id} is not in your team's queue")
    if user_id is not None:
        assignee = session.get(User, user_id)
        if assignee is None or assignee.role not in STAFF_ROLES or not assignee.active:
            raise ReviewError("reviews go to an active qa, supervisor or admin user")
        if not may_see_agent(session, assignee, agent_id):
            raise ReviewError(f"{assignee.username} supervises another team")
    review.assignee_id = user_id
    session.flush()
    return review
