"""Soak and fault test of broker mode: N short generated calls through Celery worker nodes on PostgreSQL
while a worker is killed with SIGKILL every K seconds and the broker is restarted once (losing every
message it held), then the throughput with 1 and with 2 worker processes, as a ratio.

Prints calls submitted / scored / failed / lost / processed twice, the time to drain, and what the
system did about the faults (messages sent again, runs taken over, duplicate deliveries). "Processed
twice" counts calls whose results were committed more than once, read from every worker's log (each
commit logs one line); "lost" counts calls not finished when the drain deadline passed.

PostgreSQL and Redis are throwaway servers started here (tests/servers.py) unless --database-url and
--broker-url are given (then their contents are replaced). Usage:
    python -m bench.soak [--calls 1000] [--nodes 2] [--kill-every 20] [--scaling-calls 24]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.ingest import ingest_recording
from models import Agent, Call, CallScore, Job, Recording, make_engine, make_session_factory
from models.migrate import upgrade_database

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = re.compile(r"job (\d+) call \d+ committed by")
SKIPPED = re.compile(r"succeeded in [0-9.]+s: 'skipped'")
FINAL = ("done", "failed", "dead")

AGENT_LINES = [
    "Good morning, Northwind Telecom, my name is Alice, how can I help you?",
    "I am sorry about that, I have reset the line for you.",
    "Let me check your account, one moment please.",
    "Is there anything else I can help you with?",
    "Thank you for calling Northwind Telecom, goodbye.",
]
CALLER_LINES = ["My internet is not working.", "I was charged twice.", "No thanks.", "Okay, thank you."]


@dataclass
class Node:
    """A `callqa worker` process group (Celery main process and its pool) and its log (appended to
    across restarts, so every commit stays counted)."""

    process: subprocess.Popen[bytes]
    log: Path


def generate_calls(folder: Path, n_distinct: int, rng: random.Random) -> list[Path]:
    """`n_distinct` stereo 8 kHz calls spoken by espeak-ng, each 4–10 s long."""
    import soundfile as sf

    from callqa.services.demo import render_call

    calls = []
    for i in range(n_distinct):
        path = folder / f"soak-{i:02d}.wav"
        turns: list[list[object]] = [["agent", rng.choice(AGENT_LINES[:2]), 0.3]]
        turns.append(["caller", rng.choice(CALLER_LINES), rng.uniform(0.2, 0.8)])
        turns.append(["agent", rng.choice(AGENT_LINES[2:]), rng.uniform(0.2, 0.8)])
        while True:
            render_call(turns, "en-us+f3", "en-gb+m3", path)
            seconds = sf.info(path).duration
            if seconds > 10.0 and len(turns) > 2:
                turns.pop()
            elif seconds < 4.0:
                turns.append(["caller", rng.choice(CALLER_LINES), 0.5])
            else:
                break
        calls.append(path)
    return calls


def _distinct_copy(source: Path, i: int, folder: Path) -> Path:
    """Call `i` as its own recording: `source` with its last sample on each leg set from `i` (ingest
    refuses the same content twice, as the same call would be; a one-sample click of at most 3 % full
    scale at the very end changes nothing the pipeline hears)."""
    import soundfile as sf

    data, sr = sf.read(source, dtype="int16", always_2d=True)
    data[-1, 0], data[-1, -1] = i % 1000, i // 1000 % 1000
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source.stem}-{i}.wav"
    sf.write(path, data, sr, subtype="PCM_16")
    return path


def queue_calls(factory: sessionmaker[Session], store: Path, sources: list[Path], n: int) -> float:
    """Ingest `n` calls cycling through `sources`; returns their total length in minutes."""
    with factory() as s:
        agent = s.scalars(select(Agent).where(Agent.name == "Alice Moreau")).first()
        if agent is None:
            agent = Agent(name="Alice Moreau")
            s.add(agent)
            s.flush()
        for i in range(n):
            source = _distinct_copy(sources[i % len(sources)], i, store.parent / "soak-sources")
            ingest_recording(s, source=source, recordings_dir=store, agent_id=agent.id)
            source.unlink()
            if i % 100 == 99:
                s.commit()
        s.commit()
        total = s.scalar(select(func.sum(Recording.duration_s))) or 0.0
    return float(total) / 60.0


def reset(url: str) -> None:
    """Empty the database and migrate it."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade_database(url)


def start_node(env: dict[str, str], log: Path, concurrency: int) -> Node:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "callqa", "worker", "--concurrency", str(concurrency)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
    return Node(process, log)


def kill_node(node: Node) -> None:
    """SIGKILL the whole node (main process and pool), as a machine dying would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(node.process.pid, signal.SIGKILL)
    node.process.wait()


def stop_node(node: Node) -> None:
    if node.process.poll() is None:
        node.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            node.process.wait(timeout=60)
    kill_node(node)


def kill_pool_process(factory: sessionmaker[Session], node: Node) -> bool:
    """SIGKILL the pool process of `node` that runs a job now (its message must come back); False when
    none of its processes is running a job."""
    children = {int(p) for p in _children(node.process.pid)}
    with factory() as s:
        holders = [h for h in s.scalars(select(Job.locked_by).where(Job.status == "running")) if h]
    for holder in holders:
        pid = int(holder.split(":")[1])
        if pid in children:
            os.kill(pid, signal.SIGKILL)
            return True
    return False


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def job_counts(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as s:
        return Counter(dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all()))


def drained(factory: sessionmaker[Session]) -> bool:
    counts = job_counts(factory)
    return sum(counts.values()) == sum(counts[s] for s in FINAL)


def node_env(args: argparse.Namespace, data: Path, database: str, broker: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CALLQA_DATA_DIR": str(data),
        "CALLQA_DATABASE_URL": database,
        "CALLQA_BROKER_URL": broker,
        "CALLQA_SECRET_KEY": "soak-" + "x" * 40,
        "CALLQA_SECOND_OPINION": "false",
        "CALLQA_WORKER_STALE_AFTER_S": str(args.stale_after),
        "CALLQA_REDISPATCH_AFTER_S": str(args.redispatch_after),
        "CALLQA_RECONCILE_EVERY_S": "1",
    }
    return env


def soak(args: argparse.Namespace, data: Path, sources: list[Path], database: str, redis: object) -> None:
    from tests.servers import RedisServer

    assert isinstance(redis, RedisServer)
    reset(database)
    factory = make_session_factory(make_engine(database))
    minutes = queue_calls(factory, data / "recordings", sources, args.calls)
    print(f"soak: {args.calls} calls ({minutes:.1f} call-minutes) queued; {args.nodes} worker nodes")
    env = node_env(args, data, database, redis.url)
    logs = [data / f"soak-node-{i}.log" for i in range(args.nodes)]
    for log in logs:
        log.unlink(missing_ok=True)
    nodes = [start_node(env, log, 1) for log in logs]
    rng = random.Random(args.seed)
    started = time.monotonic()
    next_kill = started + args.kill_every
    restarted_broker = False
    kills = Counter[str]()
    deadline = started + args.timeout
    try:
        while not drained(factory) and time.monotonic() < deadline:
            time.sleep(0.5)
            now = time.monotonic()
            done = job_counts(factory)["done"]
            if not restarted_broker and done >= args.calls // 3:
                redis.restart()
                restarted_broker = True
                print(f"  {now - started:6.0f} s: broker restarted ({done} done)")
            if now >= next_kill:
                next_kill = now + args.kill_every
                i = rng.randrange(len(nodes))
                if kills["node"] <= kills["pool"]:
                    kill_node(nodes[i])
                    nodes[i] = start_node(env, logs[i], 1)
                    kills["node"] += 1
                    what = "node"
                elif kill_pool_process(factory, nodes[i]):
                    kills["pool"] += 1
                    what = "pool process"
                else:
                    continue
                print(f"  {now - started:6.0f} s: SIGKILL worker {what} {i} ({done} done)")
        drain_s = time.monotonic() - started
    finally:
        for node in nodes:
            stop_node(node)
    commits: Counter[int] = Counter()
    skipped = 0
    for log in logs:
        text_ = log.read_text(errors="replace")
        commits.update(int(m) for m in COMMITTED.findall(text_))
        skipped += len(SKIPPED.findall(text_))
    with factory() as s:
        calls = Counter(dict(s.execute(select(Call.status, func.count()).group_by(Call.status)).all()))
        scored = s.scalar(select(func.count()).select_from(CallScore)) or 0
        taken_over = s.scalar(select(func.count()).select_from(Job).where(Job.attempts > 1)) or 0
    lost = args.calls - calls["done"] - calls["failed"]
    twice = sum(1 for n in commits.values() if n > 1)
    resent = sum(len(re.findall(r"(\d+) message\(s\) sent again", log.read_text())) for log in logs)
    print(
        f"soak: submitted {args.calls}  scored {scored}  failed {calls['failed']}  lost {lost}  "
        f"processed twice {twice}  drained in {drain_s:.0f} s"
    )
    print(
        f"      faults: {kills['node']} node kills, {kills['pool']} pool-process kills, broker restarted "
        f"{int(restarted_broker)}x; recovery: {taken_over} calls run more than once before one commit, "
        f"{resent} reconciler rounds re-sent lost messages, {skipped} duplicate deliveries skipped"
    )


def throughput(
    args: argparse.Namespace, data: Path, sources: list[Path], database: str, broker: str, processes: int
) -> float:
    """Call-minutes per wall-minute with `processes` worker nodes of one pool process each, once every
    process is warm: from the moment the last of them finished its first call (which loads the models) to
    the last call's end, over the calls started in that window."""
    reset(database)
    factory = make_session_factory(make_engine(database))
    queue_calls(factory, data / "recordings", sources, args.scaling_calls)
    env = node_env(args, data, database, broker)
    logs = [data / f"scaling-{processes}-{i}.log" for i in range(processes)]
    nodes = [start_node(env, log, 1) for log in logs]
    try:
        deadline = time.monotonic() + args.timeout
        while not drained(factory) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for node in nodes:
            stop_node(node)
    with factory() as s:
        rows = [
            (str(holder).split(":")[1], started, finished, float(seconds))
            for holder, started, finished, seconds in s.execute(
                select(Job.locked_by, Job.started_at, Job.finished_at, Recording.duration_s)
                .join(Recording, Recording.call_id == Job.call_id)
                .where(Job.status == "done")
            )
            if started is not None and finished is not None
        ]
    first_finish: dict[str, datetime] = {}
    for pid, _, finished, _ in sorted(rows, key=lambda r: r[2]):
        first_finish.setdefault(pid, finished)
    assert len(first_finish) == processes, f"{len(first_finish)} of {processes} processes ran calls"
    warm = max(first_finish.values())
    end = max(r[2] for r in rows)
    measured = [r[3] for r in rows if r[1] >= warm]
    wall_s = (end - warm).total_seconds()
    rate = sum(measured) / wall_s
    print(
        f"throughput, {processes} worker process(es): {len(measured)} calls after warm-up, "
        f"{sum(measured) / 60:.1f} call-minutes in {wall_s:.0f} s = {rate:.2f} call-minutes per wall-minute"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls in the soak")
    parser.add_argument("--nodes", type=int, default=2, help="worker nodes in the soak (one process each)")
    parser.add_argument("--kill-every", type=float, default=20.0, help="seconds between worker kills")
    parser.add_argument("--scaling-calls", type=int, default=24, help="calls per throughput run (0: skip)")
    parser.add_argument("--stale-after", type=float, default=15.0, help="CALLQA_WORKER_STALE_AFTER_S")
    parser.add_argument("--redispatch-after", type=float, default=20.0, help="CALLQA_REDISPATCH_AFTER_S")
    parser.add_argument("--timeout", type=float, default=7200.0, help="longest wait for a drain (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL to use (emptied!); default: a throwaway one")
    parser.add_argument("--broker-url", help="ignored for the soak, which restarts its own Redis")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.servers import PostgresServer, RedisServer

    data = Path(tempfile.mkdtemp(prefix="callqa-soak-"))
    pg = None if args.database_url else PostgresServer()
    redis = RedisServer()
    try:
        database = args.database_url or pg.url  # type: ignore[union-attr]
        print("generating calls and fitting the models once (worker processes load them) ...")
        sources = generate_calls(data, 12, random.Random(args.seed))
        _fit_models(data)
        soak(args, data, sources, database, redis)
        if args.scaling_calls:
            rates = [throughput(args, data, sources, database, redis.url, p) for p in (1, 2)]
            print(f"scaling 1 -> 2 worker processes: x{rates[1] / rates[0]:.2f}")
    finally:
        redis.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(data, ignore_errors=True)


def _fit_models(data: Path) -> None:
    from callqa.pipeline.qa_models import intent_model
    from callqa.settings import Settings
    from qa.sentiment_model import train_sentiment

    settings = Settings(data_dir=data)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    train_sentiment(None).save(settings.sentiment_artifact)
    intent_model(settings)


if __name__ == "__main__":
    main()
