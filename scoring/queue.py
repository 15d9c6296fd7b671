"""The review queue at scale: filters, sort and pages done by the database, so a floor with thousands of
open reviews gets one small page at a time.

Transcript search is a case-insensitive substring test on the transcript segments, answered from a
trigram index (SQLite FTS5, PostgreSQL pg_trgm: migration 0025). A page's review ids come from the
reviews first (index order for the default sort; keyset cursors for Next/Previous), then only those rows
are loaded. bench/queue_pages.py measures what it costs with 5,000 open reviews."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC as _UTC
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, and_, cast, column, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

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

ORDERS: dict[str, tuple[tuple[InstrumentedAttribute[Any], bool], ...]] = {
    "severity": ((Review.severity, True), (Review.flagged_at, False), (Review.id, False)),
    "oldest": ((Review.flagged_at, False), (Review.id, False)),
    "newest": ((Review.flagged_at, True), (Review.id, True)),
    "score": ((Review.machine_total, False), (Review.id, False)),
    "call_date": ((Call.started_at, True), (Review.id, True)),
}
"""Sort key -> (column, descending) pairs, ending in the review id so that every order is total. The
default, `severity`, is the order of the queue index (ix_reviews_queue: state, severity DESC, flagged_at,
id), which serves a page by walking the index."""
SORTS = tuple(ORDERS)
KEYSET_SORTS = ("severity", "oldest", "newest")
"""Sorts whose keys are never NULL: their pages are addressed by the last row's key (keyset), so a page is
a seek in the index, and reviews taken off the queue meanwhile do not shift the next page."""


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
    """1-based; for a keyset page, the page its first row falls on."""
    pages: int
    per_page: int
    next_after: str | None = None
    """Cursor of the next page (keyset sorts), None on the last page or for other sorts."""
    prev_before: str | None = None
    """Cursor of the previous page (keyset sorts), None on the first page or for other sorts."""
    keyset: bool = False
    """Whether Next/Previous go by the cursors (else by page number)."""


def _needs_call(f: QueueFilter, sort: str) -> bool:
    """Whether the filter or the sort reads the call's columns (otherwise the reviews alone answer)."""
    return (
        f.agent_id is not None
        or f.agent_ids is not None
        or f.since is not None
        or f.until is not None
        or sort == "call_date"
    )


def _said(words: str, dialect: str) -> Select:  # type: ignore[type-arg]
    """The ids of the calls in which `words` were said (a case-insensitive substring of a segment).

    SQLite: the FTS5 trigram index `transcript_fts` (migration 0025); a phrase of three or more
    characters is a substring query on it (MATCH), a shorter one a LIKE over it (read whole). PostgreSQL:
    ILIKE, served by the pg_trgm GIN index."""
    segment = TranscriptSegment
    # A LIKE pattern holding `words` anywhere, their own %, _ and backslash taken literally.
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if dialect == "postgresql":
        return select(segment.call_id).where(segment.text.ilike(pattern, escape="\\"))
    if len(words) >= 3:
        query = text("SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH :phrase")
        found = query.bindparams(phrase='"' + words.replace('"', '""') + '"')
    else:
        query = text("SELECT rowid FROM transcript_fts WHERE text LIKE :pattern ESCAPE '\\'")
        found = query.bindparams(pattern=pattern)
    return select(segment.call_id).where(segment.id.in_(found.columns(column("rowid", Integer))))


def _filtered(stmt: Select, f: QueueFilter, dialect: str) -> Select:  # type: ignore[type-arg]
    if f.state == "disputed":
        open_dispute = select(Dispute.id).where(Dispute.call_id == Review.call_id, Dispute.state == "open")
        stmt = stmt.where(open_dispute.exists())
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
        # One pass over the index for the whole query, not one lookup per candidate review.
        stmt = stmt.where(Review.call_id.in_(_said(words, dialect)))
    return stmt


def _order(sort: str, *, reverse: bool = False) -> list[Any]:
    return [
        col.asc() if desc == reverse else col.desc() for col, desc in ORDERS.get(sort, ORDERS["severity"])
    ]


def _from(stmt: Select, f: QueueFilter, sort: str) -> Select:  # type: ignore[type-arg]
    return stmt.join(Call, Call.id == Review.call_id) if _needs_call(f, sort) else stmt


def queue_statement(session: Session, f: QueueFilter, *, sort: str = "severity") -> Select:  # type: ignore[type-arg]
    """(Review, Call) rows the filter matches, in `sort` order (a key of ORDERS; unknown keys: severity)."""
    dialect = session.get_bind().dialect.name
    stmt = _filtered(select(Review, Call).join(Call, Call.id == Review.call_id), f, dialect)
    return stmt.order_by(*_order(sort))


def count_queue(session: Session, f: QueueFilter) -> int:
    dialect = session.get_bind().dialect.name
    stmt = _filtered(_from(select(func.count(Review.id)), f, "severity"), f, dialect)
    return session.scalar(stmt) or 0


def _keys(review: Review, sort: str) -> list[Any]:
    return [getattr(review, col.key) for col, _ in ORDERS[sort]]


def _cursor(review: Review, sort: str) -> str:
    return "~".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in _keys(review, sort))


def _parse_cursor(cursor: str, sort: str) -> list[Any] | None:
    """The key values in `cursor` (see _cursor), or None when it is not one of `sort`'s."""
    parts = cursor.split("~")
    keys = ORDERS[sort]
    if len(parts) != len(keys):
        return None
    try:
        return [
            datetime.fromisoformat(p) if col.key == "flagged_at" else int(p)
            for p, (col, _) in zip(parts, keys, strict=True)
        ]
    except ValueError:
        return None


def _beyond(sort: str, values: list[Any], *, backwards: bool) -> ColumnElement[bool]:
    """Rows after the row whose keys are `values` in `sort` order (before it when `backwards`)."""
    keys = ORDERS[sort]
    clauses = []
    for k, (col, desc) in enumerate(keys):
        later = col < values[k] if desc != backwards else col > values[k]
        clauses.append(and_(*(c == v for (c, _), v in zip(keys[:k], values[:k], strict=True)), later))
    return or_(*clauses)


def queue_page(
    session: Session,
    f: QueueFilter,
    *,
    sort: str = "severity",
    page: int = 1,
    per_page: int = 50,
    after: str = "",
    before: str = "",
) -> QueuePage:
    """One page of the filtered queue in `sort` order, with the total.

    `after` / `before` (cursors from a QueuePage, keyset sorts only) give the page after or before a row
    by seeking the sort's index; otherwise `page` (1-based, clamped to the last) is used, counted from
    whichever end is nearer. Either way the page's review ids are chosen first from the reviews (and
    calls only when the filter or sort needs them), then those rows alone are loaded."""
    dialect = session.get_bind().dialect.name
    sort = sort if sort in ORDERS else "severity"
    total = count_queue(session, f)
    pages = max(1, -(-total // per_page))
    ids_stmt = _filtered(_from(select(Review.id), f, sort), f, dialect)
    keyset = sort in KEYSET_SORTS
    cursor = _parse_cursor(after or before, sort) if keyset and (after or before) else None
    if cursor is not None:
        backwards = not after
        found = list(
            session.scalars(
                ids_stmt.where(_beyond(sort, cursor, backwards=backwards))
                .order_by(*_order(sort, reverse=backwards))
                .limit(per_page)
            )
        )
        ids = found[::-1] if backwards else found
    else:
        page = min(max(1, page), pages)
        skip = (page - 1) * per_page
        if skip > total // 2:  # nearer the end: walk the index from there
            size = min(per_page, total - skip)
            tail = ids_stmt.order_by(*_order(sort, reverse=True)).limit(size).offset(total - skip - size)
            ids = list(session.scalars(tail))[::-1]
        else:
            ids = list(session.scalars(ids_stmt.order_by(*_order(sort)).limit(per_page).offset(skip)))
    loaded = {r.id: (r, c) for r, c in session.execute(_rows(ids))}
    rows = [loaded[i] for i in ids if i in loaded]
    if not keyset or not rows:
        return QueuePage(rows, total, page, pages, per_page)
    first, last = rows[0][0], rows[-1][0]
    position = (page - 1) * per_page if cursor is None else _position(session, f, sort, first, dialect)
    return QueuePage(
        rows,
        total,
        position // per_page + 1,
        pages,
        per_page,
        next_after=_cursor(last, sort) if position + len(rows) < total else None,
        prev_before=_cursor(first, sort) if position > 0 else None,
        keyset=True,
    )


def _position(session: Session, f: QueueFilter, sort: str, first: Review, dialect: str) -> int:
    """How many of the filtered reviews come before `first` in `sort` order."""
    return (
        session.scalar(
            _filtered(
                _from(select(func.count(Review.id)), f, sort).where(
                    _beyond(sort, _keys(first, sort), backwards=True)
                ),
                f,
                dialect,
            )
        )
        or 0
    )


def _rows(ids: list[int]) -> Select:  # type: ignore[type-arg]
    return select(Review, Call).join(Call, Call.id == Review.call_id).where(Review.id.in_(ids))


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
