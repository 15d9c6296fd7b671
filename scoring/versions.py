"""Scorecard versions in the database: the first version of each card comes from its YAML file, a change
is made on a draft, and publishing the draft numbers it and makes it the active version. A published
version is never changed (calls were scored with it), so a score can always be re-computed with the
version named on it. Functions flush; the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import CallScore, ScorecardVersion
from scoring.exceptions import ScorecardStateError
from scoring.scorecard import Scorecard, parse_scorecard, scorecard_to_data

logger = logging.getLogger(__name__)


def card_of(row: ScorecardVersion) -> Scorecard:
    """The scorecard a stored version holds (a draft is named `draft`)."""
    data = {**row.definition, "id": row.scorecard_id, "version": row.version or "draft"}
    return parse_scorecard(data, source=f"scorecard {row.scorecard_id} version {row.version or 'draft'}")


def _definition(card: Scorecard) -> dict[str, Any]:
    data = scorecard_to_data(card)
    del data["id"], data["version"]
    return data


def _number_of(version: str) -> int:
    return int(version) if version.isdigit() else 0


def sync_from_yaml(session: Session, card: Scorecard, *, now: datetime | None = None) -> None:
    """Store `card` (read from its YAML file) as a published version when the database has no version of
    it yet, or when the file's version is a whole number above every stored one (the file was edited and
    its version raised). Otherwise the stored versions rule and the file is only logged as differing.
    Safe when several processes start at once (the loser's insert is undone; it flushes in a savepoint)."""
    rows = session.execute(
        select(ScorecardVersion.version, ScorecardVersion.number).where(
            ScorecardVersion.scorecard_id == card.id
        )
    ).all()
    stored = {version for version, _ in rows}
    highest = max((n for _, n in rows if n is not None), default=None)
    newer = card.version.isdigit() and (highest is None or int(card.version) > highest)
    if card.version in stored or (rows and not newer):
        if card.version not in stored:
            logger.warning(
                "scorecard %s: the file's version %s is older than the stored ones; ignored",
                card.id,
                card.version,
            )
        return
    now = now or datetime.now(UTC)
    row = ScorecardVersion(
        scorecard_id=card.id,
        number=_number_of(card.version),
        version=card.version,
        state="published",
        definition=_definition(card),
        note="from the YAML file",
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process stored it first
        logger.info("scorecard %s version %s was stored by another process", card.id, card.version)


def active_version(session: Session, scorecard_id: str) -> ScorecardVersion | None:
    """The published version of `scorecard_id` with the highest number (None: none stored)."""
    return session.scalar(
        select(ScorecardVersion)
        .where(ScorecardVersion.scorecard_id == scorecard_id, ScorecardVersion.state == "published")
        .order_by(ScorecardVersion.number.desc())
        .limit(1)
    )


def active_card(session: Session, scorecard_id: str) -> Scorecard | None:
    """The active version of `scorecard_id` as a scorecard (None: no version stored)."""
    row = active_version(session, scorecard_id)
    return card_of(row) if row is not None else None


def current_scorecard(session: Session, from_file: Scorecard) -> Scorecard:
    """The active version of the card `from_file` (as read from its YAML file) names, storing the file's
    card first when `sync_from_yaml` would. One published row is read whole, so a version published
    meanwhile is seen entirely or not at all, never half-edited."""
    row = active_version(session, from_file.id)
    bumped = row is not None and from_file.version.isdigit() and int(from_file.version) > (row.number or 0)
    if row is None or bumped:
        sync_from_yaml(session, from_file)
        row = active_version(session, from_file.id)
    return card_of(row) if row is not None else from_file


def stored_or_file_card(session: Session, from_file: Scorecard) -> Scorecard:
    """The active stored version of the card `from_file` names, else `from_file` itself: a pure read for
    the request paths (servers and workers store the file cards when they start, `current_scorecard`)."""
    return active_card(session, from_file.id) or from_file


def published_version(session: Session, scorecard_id: str, version: str) -> ScorecardVersion | None:
    """The stored row of published version `version` of `scorecard_id` (None: not stored)."""
    return session.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == scorecard_id,
            ScorecardVersion.version == version,
            ScorecardVersion.state == "published",
        )
    )


def scorecard_version(session: Session, scorecard_id: str, version: str) -> Scorecard | None:
    """Published version `version` of `scorecard_id` (None: not stored, e.g. a score made before versions
    were kept, with a file version since replaced)."""
    row = published_version(session, scorecard_id, version)
    return card_of(row) if row is not None else None


def calls_scored(session: Session) -> dict[tuple[str, str], int]:
    """How many calls' current scores each (scorecard id, version) made."""
    counts = session.execute(
        select(CallScore.scorecard_id, CallScore.scorecard_version, func.count(CallScore.id)).group_by(
            CallScore.scorecard_id, CallScore.scorecard_version
        )
    )
    return {(card_id, version): n for card_id, version, n in counts}


def scored_with(session: Session, scorecard_id: str, version: str, fallback: Scorecard) -> Scorecard:
    """The scorecard a call's score was made with: that stored version, else (a version older than the
    stored ones) the card's active version, else `fallback`."""
    card = scorecard_version(session, scorecard_id, version)
    if card is not None:
        return card
    row = active_version(session, scorecard_id)
    return card_of(row) if row is not None else fallback


def scorecard_ids(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(ScorecardVersion.scorecard_id).distinct().order_by(ScorecardVersion.scorecard_id)
        )
    )


def list_versions(session: Session, scorecard_id: str) -> list[ScorecardVersion]:
    """Every version of `scorecard_id`: the draft first, then newest published first."""
    rows = session.scalars(select(ScorecardVersion).where(ScorecardVersion.scorecard_id == scorecard_id))
    return sorted(rows, key=lambda r: (r.state != "draft", -(r.number or 0)))


def draft_of(session: Session, scorecard_id: str) -> ScorecardVersion | None:
    return session.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == scorecard_id, ScorecardVersion.state == "draft"
        )
    )


def save_draft(
    session: Session,
    scorecard_id: str,
    data: dict[str, Any],
    *,
    user_id: int | None,
    based_on: str | None,
    note: str = "",
    known_checks: Collection[str] | None = None,
    draft_id: int | None = None,
    now: datetime | None = None,
) -> ScorecardVersion:
    """Validate `data` (a card's YAML shape; id and version are ignored) and store it as the draft of
    `scorecard_id`: a new draft, or the changes to draft `draft_id`. Published versions never change.
    Raises ScorecardError naming every problem (nothing is stored), ScorecardStateError when `draft_id` is
    no longer a draft (published or discarded meanwhile) or another draft was started at the same time."""
    card = parse_scorecard(
        {**data, "id": scorecard_id, "version": "draft"}, source="the scorecard", known_checks=known_checks
    )
    now = now or datetime.now(UTC)
    if draft_id is not None:
        row = session.get(ScorecardVersion, draft_id)
        if row is None or row.scorecard_id != scorecard_id or row.state != "draft":
            raise ScorecardStateError(
                "this draft was published or discarded meanwhile: your changes are below; save them again"
            )
        row.definition, row.note, row.updated_at = _definition(card), note, now
        session.flush()
        return row
    if draft_of(session, scorecard_id) is not None:
        raise ScorecardStateError("someone started a draft of this scorecard meanwhile: reload to edit it")
    row = ScorecardVersion(
        scorecard_id=scorecard_id,
        state="draft",
        definition=_definition(card),
        based_on=based_on,
        note=note,
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:  # a concurrent save made the one draft first
        raise ScorecardStateError(
            "someone started a draft of this scorecard meanwhile: reload to edit it"
        ) from exc
    return row


def publish_draft(
    session: Session, draft_id: int, *, user_id: int | None, now: datetime | None = None
) -> ScorecardVersion:
    """Number draft `draft_id` after the card's highest version and make it the active one. One guarded
    UPDATE (state still draft) does it, so of two requests to publish the same draft (a double click) one
    publishes and the other raises ScorecardStateError naming the version it became; never two versions."""
    row = session.get(ScorecardVersion, draft_id)
    if row is None:
        raise ScorecardStateError(f"scorecard draft {draft_id} does not exist (discarded meanwhile?)")
    card_id = row.scorecard_id
    highest = session.scalar(
        select(func.max(ScorecardVersion.number)).where(ScorecardVersion.scorecard_id == card_id)
    )
    number = (highest or 0) + 1
    now = now or datetime.now(UTC)
    try:
        with session.begin_nested():
            done = session.execute(
                update(ScorecardVersion)
                .where(ScorecardVersion.id == draft_id, ScorecardVersion.state == "draft")
                .values(
                    state="published",
                    number=number,
                    version=str(number),
                    published_by=user_id,
                    published_at=now,
                )
                .execution_options(synchronize_session=False)
            )
    except IntegrityError as exc:  # a version with that number appeared meanwhile (a YAML file's)
        raise ScorecardStateError(
            "another version of this scorecard was stored meanwhile: publish again"
        ) from exc
    session.refresh(row)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ScorecardStateError(f"this draft was already published as version {row.version}")
    logger.info("scorecard %s version %s published", card_id, row.version)
    return row


def discard_draft(session: Session, draft_id: int) -> None:
    """Delete draft `draft_id` (a published version is never deleted)."""
    row = session.get(ScorecardVersion, draft_id)
    if row is None or row.state != "draft":
        raise ScorecardStateError("only a draft can be discarded, and this one is gone or published")
    session.delete(row)
    session.flush()
