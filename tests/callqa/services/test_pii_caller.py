"""A recorded call keeps its caller's number only as a keyed pseudonym: the same for a repeat caller,
never the number, nothing without a key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.ingest import CallOrigin, ingest_recording
from callqa.services.pii_caller import caller_pseudonym
from callqa.settings import Settings
from models import Call, HotlineCall
from tests.conftest import create_agent, write_tone_call

KEY = "a-test-key-of-32-characters-long"


def test_the_pseudonym_is_the_numbers_however_written_and_the_keys() -> None:
    one = caller_pseudonym("+44 20 7946 0018", KEY)
    assert one is not None and one.startswith("hmac:") and len(one) <= 40  # calls.caller_number is 40 wide
    assert caller_pseudonym("+44 (20) 7946-0018", KEY) == one
    assert caller_pseudonym("+44 20 7946 0019", KEY) != one
    assert caller_pseudonym("+44 20 7946 0018", KEY + "x") != one  # reversible only with the key
    assert caller_pseudonym(one, KEY) == one  # never hashed twice
    assert caller_pseudonym("+44 20 7946 0018", None) is None
    assert caller_pseudonym("anonymous", KEY) is None


def test_no_weak_key_is_accepted() -> None:
    with pytest.raises(ValidationError):
        Settings(caller_number_key="short")


def test_ingest_keeps_the_pseudonym_of_the_given_or_routed_number_and_never_the_number(
    session: Session, tmp_path: Path
) -> None:
    agent = create_agent(session)
    store = tmp_path / "recordings"
    session.add(HotlineCall(caller_number="+44 20 7946 0018", pbx_call_id="pbx-1"))
    session.flush()
    given = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "a.wav", hz=300),
        recordings_dir=store,
        agent_id=agent.id,
        caller_number="+442079460018",
        caller_key=KEY,
    )
    routed = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "b.wav", hz=310),
        recordings_dir=store,
        agent_id=agent.id,
        caller_key=KEY,
        origin=CallOrigin(pbx_call_id="pbx-1"),
    )
    keyless = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "c.wav", hz=320),
        recordings_dir=store,
        agent_id=agent.id,
        caller_number="+44 20 7946 0018",
    )
    # a repeat caller is found by the pseudonym
    assert given.caller_number is not None and given.caller_number == routed.caller_number
    same = session.scalars(select(Call.id).where(Call.caller_number == given.caller_number)).all()
    assert sorted(same) == sorted([given.id, routed.id])
    assert keyless.caller_number is None
    stored = session.scalars(select(Call.caller_number)).all()
    assert not any(n and "7946" in n for n in stored)
