"""The review queue at scale: 5,000 open reviews (a busy floor) on SQLite, then every kind of queue page
(first, middle and last page, each filter, each sort, transcript search, the CSV export) requested in
turn. Prints p50/p95 server time (in-process ASGI: routing, login check, queries, template) as wall time
and as the process's CPU time (what the request itself cost: on a machine shared with other work, wall
time mostly measures waiting for a core), and the HTML size of each. Targets: <= 150 ms p95 and <= 100 KB
per page.

    PYTHONPATH=$PWD python bench/queue_pages.py [--reviews 5000] [--repeat 20]

The stored state goes through the real store functions (QA record, call score, flag_call), as the
pipeline writes it; the transcripts are short synthetic agent/caller turns with a few rare words.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from callqa.services.processing import flag_severity
from callqa.services.users import create_user
from callqa.settings import Settings
from models import Agent, Call, TranscriptSegment, make_engine, make_session_factory
from models.migrate import upgrade_database
from qa.analysis import CallAnalysis
from qa.checks import CheckResult
from qa.metrics import TalkStats
from qa.sentiment import SpeakerSentiment, UtteranceSentiment
from qa.service import store_qa_result
from scoring.review import flag_call
from scoring.scorecard import load_scorecard, score_verdicts
from scoring.service import store_call_score

PASSWORD = "bench-queue-pw"
AGENT_LINES = [
    "thank you for calling acme telecom my name is sam how can I help",
    "let me check your account for you",
    "I understand that must be frustrating",
    "is there anything else I can help you with today",
    "that's not my problem you need to call billing",
]
CALLER_LINES = [
    "hi I have a problem with my bill",
    "my internet keeps dropping every evening",
    "I want to cancel my contract",
    "the router lights are blinking orange",
]
RARE = ["refund", "supervisor", "lawyer", "ombudsman"]


def build(url: str, n: int, rng: random.Random) -> None:
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    card = load_scorecard(None)
    weights = flag_severity(Settings())
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with factory() as s:
        agents = [Agent(name=f"Agent {i:02d}") for i in range(40)]
        s.add_all(agents)
        s.flush()
        create_user(s, username="qa", password=PASSWORD, role="qa")
        i = flagged = 0
        while flagged < n:  # calls until `n` of them are flagged (clean, unsampled calls stay out)
            i += 1
            call = Call(
                agent_id=agents[i % len(agents)].id,
                status="done",
                started_at=now - timedelta(minutes=13 * i),
            )
            s.add(call)
            s.flush()
            for k in range(8):
                line = rng.choice(AGENT_LINES if k % 2 else CALLER_LINES)
                if rng.random() < 0.01:
                    line += " " + rng.choice(RARE)
                s.add(
                    TranscriptSegment(
                        call_id=call.id,
                        speaker="agent" if k % 2 else "caller",
                        start_s=k * 4.0,
                        end_s=k * 4.0 + 3.5,
                        text=line,
                    )
                )
            greeting = rng.choice(["pass", "fail", "uncertain"])
            neg = rng.random() < 0.4
            caller = SpeakerSentiment(
                "neu",
                "neg" if neg else "neu",
                0,
                (UtteranceSentiment(1.0, 2.0, "x", "neg" if neg else "neu"),),
            )
            analysis = CallAnalysis(
                checks={"greeting": CheckResult("greeting", greeting == "pass", greeting)},  # type: ignore[arg-type]
                violations=[],
                empathy=[],
                dead_air=[],
                holds=[],
                talk=TalkStats(20.0, 15.0, 1.0),
                sentiment={"caller": caller},
                sentiment_model="bench",
            )
            store_qa_result(s, call.id, analysis, script_id="en-default", script_version="1", engine="bench")
            verdicts = {
                "greeting": greeting == "pass",
                "closing": rng.random() < 0.7,
                "courtesy": rng.random() < 0.8,
                "empathy": None,
                "no_dead_air": True,
            }
            store_call_score(s, call_id=call.id, score=score_verdicts(verdicts, card))
            review = flag_call(s, call, weights=weights, sample_per_week=2, sample_rate=0.2, rng=rng)
            flagged += review is not None
        s.commit()


PAGES = {
    "page 1": "/queue",
    "page 2": "/queue?page=2",
    "page 50": "/queue?page=50",
    "last page": "/queue?page=100000",
    "agent": "/queue?agent_id=7",
    "date range": "/queue?since=2026-11-20&until=2026-11-25",
    "reason": "/queue?reason=negative",
    "severity high": "/queue?severity=3",
    "sort oldest": "/queue?sort=oldest",
    "sort score": "/queue?sort=score",
    "sort call date": "/queue?sort=call_date",
    "search common": "/queue?q=billing",
    "search rare": "/queue?q=ombudsman",
    "search absent": "/queue?q=zeppelin",
    "disputed": "/queue?state=disputed",
    "all filters": "/queue?agent_id=3&reason=uncertain&severity=1&since=2026-11-01&until=2026-12-01"
    "&q=account",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", type=Path, help="keep the built database here and reuse it when it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            t0 = time.perf_counter()
            build(url, args.reviews, random.Random(7))
            print(f"built {args.reviews} open reviews in {time.perf_counter() - t0:.0f} s")
        settings = Settings(data_dir=Path(tmp) / "data", embedded_worker=False, database_url=url)
        settings.data_dir.mkdir()
        with TestClient(create_app(settings)) as client:
            r = client.post("/login", data={"username": "qa", "password": PASSWORD}, follow_redirects=False)
            assert r.status_code == 303, r.text
            heads = ("p50 ms", "p95 ms", "cpu p50", "cpu p95", "KB")
            print(f"{'page':<16}" + "".join(f"{h:>8}" for h in heads) + f"{'rows':>6}  total")
            worst = worst_cpu = 0.0
            for name, path in {**PAGES, "CSV export": "/queue.csv"}.items():
                times, cpu, size, body = [], [], 0, ""
                for _ in range(args.repeat):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    r = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    assert r.status_code == 200, (path, r.status_code)
                    size, body = len(r.content), r.text
                p95, cpu_p95 = _p95(times), _p95(cpu)
                rows = body.count("<tr data-review=") if path != "/queue.csv" else body.count("\n") - 1
                total = body.split('id="count">', 1)[1].split("<", 1)[0] if 'id="count">' in body else ""
                if path != "/queue.csv":
                    worst, worst_cpu = max(worst, p95), max(worst_cpu, cpu_p95)
                p50, cpu_p50 = statistics.median(times), statistics.median(cpu)
                figures = (p50, p95, cpu_p50, cpu_p95, size / 1024)
                print(f"{name:<16}" + "".join(f"{v:>8.1f}" for v in figures) + f"{rows:>6}  {total}")
            print(f"worst page p95: {worst:.1f} ms wall, {worst_cpu:.1f} ms CPU (target 150 ms)")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
