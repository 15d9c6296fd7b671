"""The caller's number on a recorded call, kept as a keyed pseudonym: a repeat caller's calls share it,
and nobody reading the database (or a backup, or an export) learns the number.

A plain hash would not do: there are only about 10^10 phone numbers of a country, and hashing them all
takes minutes. An HMAC with a secret key (`CALLQA_CALLER_NUMBER_KEY`, no default) cannot be reversed
without the key. With no key configured the number is not kept at all. The hotline's own record of the
call (`hotline_calls.caller_number`) keeps the number: calling back needs it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

PREFIX = "hmac:"
"""Marks a stored pseudonym (32 hex digits of HMAC-SHA256 follow)."""
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
