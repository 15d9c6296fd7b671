"""Two ingests of one recording at the same moment: both pass the application's duplicate check before
either commits, and the database's unique index on the content hash keeps one (was: both were stored and
the agent's statistics counted the call twice). The second gets a clear SimultaneousDuplicateError (409 over
HTTP), its copy of the file is deleted with its transaction, and sending it again finds the stored call."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callqa.services.ingest import DuplicateCallError, SimultaneousDuplicateError, ingest_recording
from models import Call, Recording, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.conftest import fresh_database, write_tone_call


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_simultaneous_ingests_of_one_recording_store_one(backend: str, tmp_path: Path) -> None:
    engine = make_engine(fresh_database(backend, tmp_path), busy_timeout_s=30)
    factory = make_session_factory(engine)
    wav = write_tone_call(tmp_path / "call.wav")
    store = tmp_path / "store"

    def ingest(session: Session) -> Call:
        return ingest_recording(session, source=wav, recordings_dir=store, agent_id=None)

    first = factory()
    winner = ingest(first)  # checked and written, not yet committed
    outcome: list[BaseException | Call] = []

    def second() -> None:
        with factory() as session:
            try:
                outcome.append(ingest(session))  # its check runs now: the first is not committed
                session.commit()
            except BaseException as exc:
                session.rollback()
                outcome.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    time.sleep(1.5)  # the second has passed its check and waits on the first's lock / index entry
    assert not outcome
    first.commit()
    racer.join(timeout=60)
    first.close()
    [refused] = outcome
    assert isinstance(refused, SimultaneousDuplicateError), refused
    assert "simultaneous upload" in str(refused)
    with factory() as s:
        assert s.scalars(sa.select(Call.id)).all() == [winner.id]
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1  # the loser's copy went with its rollback
    with factory() as s, pytest.raises(DuplicateCallError) as again:
        ingest(s)
    assert again.value.call_id == winner.id
    engine.dispose()


def test_copies_stored_before_the_index_are_kept_and_marked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0015")
    engine = make_engine(url)
    with engine.begin() as conn:
        for call_id in (1, 2, 3):
            conn.execute(
                sa.text(
                    "INSERT INTO calls (id, language, started_at, status, created_at) "
                    "VALUES (:id, 'en', '2026-11-01', 'done', '2026-11-01')"
                ),
                {"id": call_id},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO recordings (id, call_id, path, format, sample_rate, channels, duration_s, "
                    "size_bytes, sha256, created_at) VALUES (:id, :id, :path, 'WAV', 8000, 2, 3.0, 100, "
                    ":sha, '2026-11-01')"
                ),
                {"id": call_id, "path": f"r{call_id}.wav", "sha": "a" * 64 if call_id < 3 else "b" * 64},
            )
    engine.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, duplicate_of FROM recordings ORDER BY id")).all()
        assert rows == [(1, None), (2, 1), (3, None)]  # every call kept; the second copy names the first
    with make_session_factory(engine)() as s:
        call = Call(language="en", status="done")
        call.recording = Recording(
            path="x.wav",
            format="WAV",
            sample_rate=8000,
            channels=2,
            duration_s=3.0,
            size_bytes=1,
            sha256="a" * 64,
        )
        s.add(call)
        with pytest.raises(IntegrityError, match="sha256"):
            s.flush()
    engine.dispose()
