"""The recording store: its layout, relative paths resolved on each machine, and a recording a worker
cannot read failing its call with that reason."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from callqa.services.ingest import ingest_recording
from callqa.services.processing import make_worker
from callqa.services.storage import RecordingUnreadable, locate, new_key, readable
from callqa.settings import Settings
from models import Call, Job, Recording, make_engine, make_session_factory
from models.migrate import upgrade_database
from tests.conftest import create_agent, write_tone_call


def test_keys_are_dated_random_and_relative() -> None:
    key = new_key(".wav", now=datetime(2026, 11, 28, 23, 59, tzinfo=UTC))
    assert re.fullmatch(r"2026/11/28/[0-9a-f]{32}\.wav", key)
    assert new_key(".wav") != new_key(".wav")
    assert locate(Path("/mnt/store"), key) == Path("/mnt/store") / key
    assert locate(Path("/mnt/store"), "/data/old/abc.wav") == Path("/data/old/abc.wav")  # rows from before


def test_an_unreadable_recording_names_the_file_the_machine_and_the_cause(tmp_path: Path) -> None:
    with pytest.raises(RecordingUnreadable) as missing:
        readable(tmp_path, "2026/11/28/gone.wav")
    assert f"recording 2026/11/28/gone.wav is not readable on {socket.gethostname()} under {tmp_path}" in str(
        missing.value
    )
    assert "No such file or directory" in str(missing.value)
    present = tmp_path / "2026" / "x.wav"
    present.parent.mkdir()
    present.write_bytes(b"RIFF")
    assert readable(tmp_path, "2026/x.wav") == present


def test_the_embedded_worker_fails_a_call_whose_recording_it_cannot_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    settings = Settings(data_dir=tmp_path, database_url=url, storage_dir=tmp_path / "store")
    with factory() as s:
        agent = create_agent(s)
        tone = write_tone_call(tmp_path / "t.wav")
        call = ingest_recording(s, source=tone, recordings_dir=settings.recordings_dir, agent_id=agent.id)
        s.commit()
        call_id = call.id
        stored = s.scalars(select(Recording.path)).one()
    assert (tmp_path / "store" / stored).is_file()
    (tmp_path / "store" / stored).unlink()  # the store is not mounted on this machine, say
    assert make_worker(settings, factory).run_once()
    with factory() as s:
        failed = s.get(Call, call_id)
        job = s.scalars(select(Job)).one()
        assert failed is not None and failed.status == "failed" and job.status == "failed"
        assert failed.error is not None and failed.error.startswith("RecordingUnreadable: recording ")
        assert "No such file or directory" in failed.error
