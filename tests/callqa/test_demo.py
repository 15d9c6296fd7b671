"""`callqa demo-data` (what `make demo` runs): renders, stores and processes demo calls, prints the
logins, and is safe to run twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from models import Call, CallScore


@pytest.mark.slow
def test_demo_data_processes_its_calls_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path), "CALLQA_COMPANY": "Northwind Telecom"}
    env.pop("CALLQA_DB_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "callqa", *args], capture_output=True, text=True, timeout=600, env=env
        )
        assert done.returncode == 0, done.stderr
        return done

    run("db", "upgrade")
    first = run("demo-data", "--calls", "1")
    for login in ("admin", "qa", "alice", "callqa-demo"):
        assert login in first.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'callqa.db'}")
    with engine.connect() as conn:
        calls = conn.execute(select(Call.status)).scalars().all()
        scores = conn.scalar(select(func.count()).select_from(CallScore))
    assert calls == ["done"] and scores == 1
    run("demo-data", "--calls", "1")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Call)) == 1
