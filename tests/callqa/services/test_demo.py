"""`callqa demo-data` (what `make demo` runs): renders, stores and processes demo calls, prints the
logins, and is safe to run twice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from models import Call, CallScore
from tests.conftest import callqa_ok
from tests.fitted import provide_models


@pytest.mark.slow
def test_demo_data_processes_its_calls_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path), "CALLQA_COMPANY": "Northwind Telecom"}
    env.pop("CALLQA_DB_URL", None)
    provide_models(tmp_path)  # demo-data analyses its calls

    callqa_ok("db", "upgrade", env=env)
    first = callqa_ok("demo-data", "--calls", "1", env=env)
    for login in ("admin", "qa", "alice", "callqa-demo"):
        assert login in first.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'callqa.db'}")
    with engine.connect() as conn:
        calls = conn.execute(select(Call.status)).scalars().all()
        scores = conn.scalar(select(func.count()).select_from(CallScore))
    assert calls == ["done"] and scores == 1
    callqa_ok("demo-data", "--calls", "1", env=env)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Call)) == 1
