"""Shared fixtures: a migrated database (SQLite and PostgreSQL), a per-test transaction rolled back at
teardown, a Redis broker, and typed helpers for test data.

PostgreSQL is the server at CALLQA_TEST_POSTGRES_URL when set, else a throwaway cluster this session
starts on first use (tests/servers.py) and stops at its end; the broker likewise (CALLQA_TEST_BROKER_URL,
else a throwaway Redis). Where the server's Debian package is missing the tests that need it skip, except
under CI (CI=true), where that fails the run: CI must test against the real servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import Agent, AgentSkill, Call, Skill, make_engine
from models.migrate import upgrade_database
from qa.analysis import CallAnalysis
from qa.checks import CheckResult, State
from qa.metrics import TalkStats
from qa.phrases import Violation
from qa.sentiment import Label, SpeakerSentiment, UtteranceSentiment
from qa.service import store_qa_result
from scoring.scorecard import load_scorecard, score_verdicts
from scoring.service import store_call_score
from tests.browser import browser  # noqa: F401  (the fixture, for every test directory)
from tests.servers import PostgresServer, RedisServer, ServerUnavailable

# CI and developers have shared/ beside the checkout.
ROOT = Path(__file__).resolve().parents[1]
"""The repository's top folder (tests may live at any depth under tests/)."""
DEV_SET = ROOT.parent / "shared" / "dev-set"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the dev set (a fresh clone), tests marked `dev_set` skip and say why; the rest run."""
    if (DEV_SET / "calls").is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the labelled dev set at {DEV_SET} (not beside this checkout)")
    for item in items:
        if item.get_closest_marker("dev_set") is not None:
            item.add_marker(skip)


_servers: dict[str, PostgresServer | RedisServer] = {}


def _throwaway(kind: type[PostgresServer] | type[RedisServer]) -> PostgresServer | RedisServer:
    """The session's server of `kind`, started on first use; skips (fails under CI) where not installed."""
    name = kind.__name__
    if name not in _servers:
        try:
            _servers[name] = kind()
        except ServerUnavailable as exc:
            if os.environ.get("CI"):
                pytest.fail(f"CI must run the server tests: {exc}")
            pytest.skip(str(exc))
    return _servers[name]


def own_redis() -> RedisServer:
    """A Redis server of the caller's own (to restart or fill), which the caller stops; skips (fails under
    CI) where redis-server is not installed."""
    try:
        return RedisServer()
    except ServerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the server tests: {exc}")
        pytest.skip(str(exc))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the throwaway servers this session started."""
    for server in _servers.values():
        server.stop()
    _servers.clear()


def postgres_url() -> str:
    """The test PostgreSQL's SQLAlchemy URL (see the module docstring)."""
    return os.environ.get("CALLQA_TEST_POSTGRES_URL") or _throwaway(PostgresServer).url


def broker_url() -> str:
    """The test broker's URL (see the module docstring)."""
    return os.environ.get("CALLQA_TEST_BROKER_URL") or _throwaway(RedisServer).url


_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def run_callqa(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m callqa ARGS` in a child process (environment `env` when given), run to its end; the
    caller checks the return code."""
    return subprocess.run(
        [sys.executable, "-m", "callqa", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def callqa_ok(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`run_callqa` for a command that must succeed (its stderr is the failure message)."""
    done = run_callqa(*args, env=env, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done


def reset_postgres(url: str) -> None:
    """An empty public schema: whatever an earlier run (of any revision) left there is dropped."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database(backend: str, folder: Path) -> str:
    """The URL of an empty, migrated database: a SQLite file in `folder`, or the test PostgreSQL."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'test.db'}"
    else:
        url = postgres_url()
        reset_postgres(url)
    upgrade_database(url)
    return url


@pytest.fixture(scope="session", params=_BACKENDS)
def db_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database engine per backend, shared by the session."""
    engine = make_engine(fresh_database(request.param, tmp_path_factory.mktemp("db")))
    yield engine
    engine.dispose()


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (commits become savepoints)."""
    connection = db_engine.connect()
    outer = connection.begin()
    if db_engine.dialect.name == "sqlite":
        # pysqlite opens its transaction only before DML, never before a SAVEPOINT: without this BEGIN the
        # first savepoint would start the transaction and its RELEASE (a test's commit) would make the
        # test's rows permanent in the database every later test shares.
        connection.exec_driver_sql("BEGIN")
    sess = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        connection.close()


def create_agent(session: Session, name: str = "Tom Baker", *, skills: dict[str, int] | None = None) -> Agent:
    """An agent with `skills` {name: proficiency 1–5}; flushed."""
    agent = Agent(name=name)
    session.add(agent)
    for skill_name, level in (skills or {}).items():
        agent.skills.append(AgentSkill(skill=Skill(name=f"{skill_name}-{id(agent)}"), proficiency=level))
    session.flush()
    return agent


def make_analysis(
    checks: dict[str, State] | None = None,
    *,
    violations: Sequence[tuple[str, Literal["fail", "uncertain"]]] = (),
    caller_end: Label | None = "neu",
) -> CallAnalysis:
    """A QA record with `checks` (name → state; passed unless "fail"), `violations` ((category, state),
    one a second from 3 s) and the caller's sentiment ending `caller_end` (one utterance at 1–2 s)."""
    caller = SpeakerSentiment(
        caller_end, caller_end, 0, (UtteranceSentiment(1.0, 2.0, "words", caller_end),) if caller_end else ()
    )
    return CallAnalysis(
        checks={n: CheckResult(n, state != "fail", state) for n, state in (checks or {}).items()},
        violations=[
            Violation(
                category,
                3.0 + i,
                4.0 + i,
                "calm down",
                "calm down",
                88.0,
                conf=0.4,
                state=state,
                note="weak evidence (88, conf 0.40)" if state == "uncertain" else "",
            )
            for i, (category, state) in enumerate(violations)
        ],
        empathy=[],
        dead_air=[],
        holds=[],
        talk=TalkStats(10.0, 10.0, 0.0),
        sentiment={"caller": caller},
        sentiment_model="test",
    )


def create_scored_call(
    session: Session,
    agent_id: int,
    verdicts: Mapping[str, bool | None],
    *,
    at: datetime | None = None,
    analysis: CallAnalysis | None = None,
) -> Call:
    """A call scored on the default scorecard with `verdicts` per item, and its QA record (default: the
    greeting and closing checks as the verdicts say), stored through the real store functions; flushed."""
    card = load_scorecard(None)
    call = Call(agent_id=agent_id, status="done", **({"started_at": at} if at else {}))
    session.add(call)
    session.flush()
    if analysis is None:
        analysis = make_analysis(
            {n: "pass" if verdicts.get(n) else "fail" for n in ("greeting", "closing") if n in verdicts}
        )
    store_qa_result(session, call.id, analysis, script_id="en-default", script_version="1", engine="test")
    store_call_score(session, call_id=call.id, score=score_verdicts(verdicts, card))
    return call


def write_tone_call(
    path: Path, *, seconds: float = 3.0, sr: int = 8000, stereo: bool = True, hz: float = 440.0
) -> Path:
    """A short non-silent recording (tones; `hz` on the agent leg) for tests that need valid audio but no
    speech. Ingest refuses the same content twice, so tests that queue several calls vary `hz`."""
    t = np.arange(int(seconds * sr)) / sr
    left = 0.3 * np.sin(2 * np.pi * hz * t)
    right = 0.3 * np.sin(2 * np.pi * 660 * t)
    data = np.stack([left, right], axis=1) if stereo else left
    sf.write(path, data.astype(np.float32), sr, subtype="PCM_16")
    return path


GOOD_CALL_TURNS = [
    ["agent", "Good morning, Northwind Telecom, my name is Alice, how can I help you?", 0.5],
    ["caller", "My internet is not working.", 0.5],
    ["agent", "I am sorry about that, I have reset the line for you.", 0.5],
    ["agent", "Is there anything else I can help you with?", 0.5],
    ["caller", "No thanks.", 0.4],
    ["agent", "Thank you for calling Northwind Telecom, goodbye.", 0.4],
]


@pytest.fixture(scope="session")
def speech_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real stereo 8 kHz call spoken by espeak-ng (agent ch0, caller ch1), compliant greeting/closing."""
    from callqa.services.demo import render_call

    path = tmp_path_factory.mktemp("speech") / "good-call.wav"
    render_call(GOOD_CALL_TURNS, "en-us+f3", "en-gb+m3", path)
    return path


@pytest.fixture(scope="module")
def virtual_mic() -> Iterator[str]:
    """A PulseAudio null sink whose monitor is the default input: what is played into it is 'heard'."""
    if shutil.which("pulseaudio") is None or shutil.which("paplay") is None:
        pytest.fail("pulseaudio and pulseaudio-utils are required (make system-deps installs them)")
    started = subprocess.run(["pulseaudio", "--check"], check=False).returncode != 0
    if started:
        subprocess.run(
            ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "--disallow-exit"], check=True
        )
        for _ in range(50):
            if subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.1)
    module = subprocess.run(
        ["pactl", "load-module", "module-null-sink", "sink_name=callqa_test_mic"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(["pactl", "set-default-source", "callqa_test_mic.monitor"], check=True)
    yield "callqa_test_mic"
    subprocess.run(["pactl", "unload-module", module], check=False)
    if started:
        subprocess.run(["pulseaudio", "--kill"], check=False)
