"""A recorded call keeps its caller's number only as a keyed pseudonym: the same for a repeat caller,
never the number, nothing without a key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.ingest import CallOrigin, ingest_recording
from callqa.services.pii_caller import (
    PSEUDONYMISE_ACTION,
    caller_pseudonym,
    pseudonymise_stored_numbers,
)
from callqa.settings import Settings
from models import AuditEvent, Call, HotlineCall, make_engine
from tests.conftest import (
    _BACKENDS,
    callqa_ok,
    create_agent,
    fresh_database,
    run_callqa,
    write_tone_call,
)

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


# As calls were stored before the pseudonym (plain numbers, one without digits, one with none at all).
BEFORE = ["+44 20 7946 0018", "020 7946 0999", "anonymous", None, "+44 (20) 7946-0018", "+1 555 0100"]


def _calls_from_before(session: Session) -> list[int]:
    agent = create_agent(session)
    calls = [Call(agent_id=agent.id, caller_number=number) for number in BEFORE]
    session.add_all(calls)
    session.flush()
    return [c.id for c in calls]


def test_stored_numbers_become_the_pseudonyms_new_calls_get_in_audited_batches(
    session: Session, tmp_path: Path
) -> None:
    ids = _calls_from_before(session)
    new = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "new.wav", hz=330),
        recordings_dir=tmp_path / "recordings",
        agent_id=None,
        caller_number="+442079460018",
        caller_key=KEY,
    )
    first = pseudonymise_stored_numbers(session, key=KEY, batch_size=2, username="ops")
    assert first.converted == (ids[0], ids[1]) and first.cleared == ()
    session.commit()  # an interrupted run: one batch committed, the rest still plain
    rest = pseudonymise_stored_numbers(session, key=KEY, batch_size=10)
    assert rest.converted == (ids[4], ids[5]) and rest.cleared == (ids[2],)
    assert pseudonymise_stored_numbers(session, key=KEY, batch_size=10).size == 0  # idempotent
    stored = {c.id: c.caller_number for c in session.scalars(select(Call))}
    # the repeat caller's calls from before and after share the pseudonym; no number is left
    assert stored[ids[0]] == stored[ids[4]] == new.caller_number
    assert stored[ids[2]] is None and stored[ids[3]] is None
    assert all(n is None or (n.startswith("hmac:") and len(n) <= 40) for n in stored.values())
    audits = session.scalars(
        select(AuditEvent).where(AuditEvent.action == PSEUDONYMISE_ACTION).order_by(AuditEvent.id)
    ).all()
    assert [(a.username, a.detail["converted_call_ids"]) for a in audits] == [
        ("ops", [ids[0], ids[1]]),
        (None, [ids[4], ids[5]]),
    ]
    assert audits[1].detail["cleared_call_ids"] == [ids[2]]
    assert "7946" not in str([a.detail for a in audits])


@pytest.mark.parametrize("backend", _BACKENDS)
def test_callqa_pseudonymise_callers_converts_a_database_from_before(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path)
    engine = make_engine(url)
    with Session(engine) as s:
        ids = _calls_from_before(s)
        s.commit()
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path / "data"), "CALLQA_DATABASE_URL": url}
    env.pop("CALLQA_CALLER_NUMBER_KEY", None)
    refused = run_callqa("pseudonymise-callers", env=env)
    assert refused.returncode == 2 and "CALLQA_CALLER_NUMBER_KEY" in refused.stderr
    env["CALLQA_CALLER_NUMBER_KEY"] = KEY
    done = callqa_ok("pseudonymise-callers", "--batch-size", "2", env=env)
    assert "pseudonymised 4 caller number(s) in 3 batch(es); cleared 1" in done.stdout
    again = callqa_ok("pseudonymise-callers", env=env)
    assert "pseudonymised 0 caller number(s) in 0 batch(es)" in again.stdout
    with Session(engine) as s:
        stored = {cid: n for cid, n in s.execute(select(Call.id, Call.caller_number))}
        assert stored[ids[0]] == stored[ids[4]] == caller_pseudonym(BEFORE[0], KEY)
        assert not any(n and not n.startswith("hmac:") for n in stored.values())
        assert len(s.scalars(select(AuditEvent.id)).all()) == 3
    engine.dispose()
