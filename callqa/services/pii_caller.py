"""The caller's number on a recorded call, kept as a keyed pseudonym: a repeat caller's calls share it,
and nobody reading the database (or a backup, or an export) learns the number.

A plain hash would not do: there are only about 10^10 phone numbers of a country, and hashing them all
takes minutes. An HMAC with a secret key (`CALLQA_CALLER_NUMBER_KEY`, no default) cannot be reversed
without the key. With no key configured the number is not kept at all. The hotline's own record of the
call (`hotline_calls.caller_number`) keeps the number: calling back needs it. Calls stored before the
pseudonym existed are converted in place by `pseudonymise_stored_numbers` (`callqa pseudonymise-callers`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import not_, select
from sqlalchemy.orm import Session

from models import Call
from qa.pii.service import record_audit

PREFIX = "hmac:"
"""Marks a stored pseudonym (32 hex digits of HMAC-SHA256 follow)."""
PSEUDONYMISE_ACTION = "caller_number.pseudonymise"
"""The audit action of one converted batch of stored caller numbers."""
_NOT_DIALLED = re.compile(r"[^\d+]")


def caller_pseudonym(number: str | None, key: str | None) -> str | None:
    """The pseudonym of `number` under `key` ("hmac:" + 32 hex digits), the same for the same number
    however it is spaced or punctuated ("+44 20 7946 0018" = "+442079460018"); None without a key or a
    number with no digits. A value that already is a pseudonym is returned as it is."""
    if not number or not key:
        return None
    if number.startswith(PREFIX):
        return number
    dialled = _NOT_DIALLED.sub("", number)
    if not any(ch.isdigit() for ch in dialled):
        return None
    mac = hmac.new(key.encode(), dialled.encode(), hashlib.sha256).hexdigest()
    return PREFIX + mac[:32]


@dataclass(frozen=True)
class PseudonymBatch:
    """One converted batch: the calls whose number became its pseudonym, and those whose value held no
    digit (e.g. "anonymous") and was cleared, as a new call would keep nothing."""

    converted: tuple[int, ...]
    cleared: tuple[int, ...]

    @property
    def size(self) -> int:
        """Calls touched in this batch (0: nothing was left to convert)."""
        return len(self.converted) + len(self.cleared)


def pseudonymise_stored_numbers(
    session: Session, *, key: str, batch_size: int, username: str | None = None
) -> PseudonymBatch:
    """Replace the plain caller numbers of the first `batch_size` calls (by id) that still hold one by
    their pseudonym under `key`, the same a new call of that number gets (`caller_pseudonym`), and record
    the batch (`AuditEvent` 'caller_number.pseudonymise', by `username` or the system, naming the calls,
    never the numbers). Pseudonyms are never touched, so it is idempotent and resumes where an interrupted
    run stopped; rows another transaction holds are skipped (PostgreSQL) and left for the next batch.
    Flushes; the caller commits each batch, so a batch is converted and audited together or not at all."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be 1 or more, not {batch_size}")
    calls = session.scalars(
        select(Call)
        .where(Call.caller_number.is_not(None), not_(Call.caller_number.startswith(PREFIX)))
        .order_by(Call.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True, of=Call)
    ).all()
    converted: list[int] = []
    cleared: list[int] = []
    for call in calls:
        call.caller_number = caller_pseudonym(call.caller_number, key)
        (converted if call.caller_number else cleared).append(call.id)
    batch = PseudonymBatch(tuple(converted), tuple(cleared))
    if batch.size:
        record_audit(
            session,
            action=PSEUDONYMISE_ACTION,
            username=username,
            detail={"converted_call_ids": converted, "cleared_call_ids": cleared},
        )
    session.flush()
    return batch
