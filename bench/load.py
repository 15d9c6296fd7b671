"""Load: N concurrent users against a running callqa server on this machine, then one more call.

The users are logged in already (one login's token and page cookie are shared: a login is a deliberately
slow password hash, a different load). Each makes `--requests` requests drawn from a fixed mix: pages
(/queue, /overview, a call page), API reads (review queue, overview, call list, one call), uploads (a
short stereo tone recording) and hotline traffic (a call arrives on the PBX key, then is abandoned).
After the burst one call is uploaded and followed until the worker has processed it. Prints the request
count, 5xx count, p50/p95 per route and whether the post-burst call was processed.

    CALLQA_DATA_DIR=/tmp/wo-data CALLQA_SECRET_KEY=... CALLQA_HOTLINE_KEY=k callqa serve &
    python bench/load.py --users 200 --hotline-key k

Only for servers on this machine (the URL must be on the loopback). Bounded: every request has a timeout,
every user makes a fixed number of requests, the post-burst wait is capped.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
import numpy as np
import soundfile as sf

DEMO_PASSWORD = "callqa-demo"
LOOPBACK = ("127.", "localhost", "::1", "[::1]")


def tone_wav(seconds: float = 2.0, sr: int = 8000, hz: float = 440.0) -> bytes:
    """A stereo tone recording; a different `hz` makes different content (the server stores each content
    once: the same recording uploaded again is the stored call)."""
    t = np.arange(int(seconds * sr)) / sr
    data = np.stack([0.3 * np.sin(2 * np.pi * hz * t), 0.3 * np.sin(2 * np.pi * 660 * t)], axis=1)
    buf = io.BytesIO()
    sf.write(buf, data.astype(np.float32), sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    failures: list[str] = field(default_factory=list)  # transport errors (no HTTP answer)

    def record(self, route: str, status: int, seconds: float) -> None:
        self.latencies[route].append(seconds)
        self.codes[route][status] += 1


class User:
    """One simulated user: a QA login (pages + API), sharing the PBX key for hotline traffic."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        tally: Tally,
        args: argparse.Namespace,
        rng: random.Random,
        token: dict[str, str],
    ):
        self.client, self.tally, self.args, self.rng, self.token = client, tally, args, rng, token

    async def request(self, route: str, method: str, url: str, **kw: object) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            resp = await self.client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.tally.failures.append(f"{route}: {type(exc).__name__}")
            return None
        self.tally.record(route, resp.status_code, time.perf_counter() - start)
        return resp

    async def one(self, call_ids: list[int]) -> None:
        pick = self.rng.random()
        if pick < 0.30:
            page = self.rng.choice(["/queue", "/overview"] + ([f"/calls/{call_ids[0]}"] if call_ids else []))
            await self.request(route_name(page), "GET", page)
        elif pick < 0.65:
            route = self.rng.choice(["/api/reviews", "/api/overview", "/api/calls?limit=20"])
            if call_ids and self.rng.random() < 0.3:
                route = f"/api/calls/{self.rng.choice(call_ids)}"
                await self.request("GET /api/calls/{id}", "GET", route, headers=self.token)
            else:
                await self.request("GET " + route, "GET", route, headers=self.token)
        elif pick < 0.75:
            files = {"file": ("load.wav", tone_wav(hz=300 + 500 * self.rng.random()), "audio/wav")}
            form = {"agent_id": str(self.args.agent_id)}
            await self.request(
                "POST /api/calls", "POST", "/api/calls", headers=self.token, files=files, data=form
            )
        else:
            key = {"X-Hotline-Key": self.args.hotline_key} if self.args.hotline_key else self.token
            body = {"caller_number": f"+1555{self.rng.randrange(10**6):06d}", "ivr_choice": "1"}
            resp = await self.request(
                "POST /api/hotline/calls", "POST", "/api/hotline/calls", headers=key, json=body
            )
            if resp is not None and resp.status_code == 201:
                call_id = resp.json()["call_id"]
                url = f"/api/hotline/calls/{call_id}/abandon"
                await self.request("POST /api/hotline/calls/{id}/abandon", "POST", url, headers=key)


def route_name(page: str) -> str:
    return "GET /calls/{id}" if page.startswith("/calls/") else f"GET {page}"


async def run(args: argparse.Namespace) -> int:
    tally = Tally()
    wav = tone_wav()
    limits = httpx.Limits(max_connections=args.users + 10, max_keepalive_connections=args.users + 10)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=args.url, timeout=timeout, limits=limits) as admin:
        form = {"username": args.user, "password": args.password}
        resp = await admin.post("/api/auth/token", data=form)
        resp.raise_for_status()
        token = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        await admin.post("/login", data=form)
        cookies = dict(admin.cookies)
        listed = await admin.get("/api/calls?limit=20", headers=token)
        call_ids = [c["id"] for c in listed.json()] if listed.status_code == 200 else []

    async def user(index: int) -> None:
        async with httpx.AsyncClient(base_url=args.url, timeout=timeout, cookies=cookies) as client:
            u = User(client, tally, args, random.Random(index), token)
            for _ in range(args.requests):
                await u.one(call_ids)

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(args.users)))
    burst_s = time.perf_counter() - started
    report(tally, args.users, burst_s)
    processed = await post_burst_call(args, token, wav)
    server_errors = sum(n for codes in tally.codes.values() for c, n in codes.items() if c >= 500)
    return 0 if server_errors == 0 and not tally.failures and processed else 1


def report(tally: Tally, users: int, burst_s: float) -> None:
    total = sum(len(v) for v in tally.latencies.values())
    errors = sum(n for codes in tally.codes.values() for c, n in codes.items() if c >= 500)
    print(f"users: {users}  requests: {total}  in {burst_s:.1f} s  ({total / burst_s:.0f} req/s)")
    print(f"server errors (5xx): {errors}   no answer (transport errors): {len(tally.failures)}")
    print(f"{'route':42s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s}  status codes")
    for route in sorted(tally.latencies):
        lat = sorted(tally.latencies[route])
        p50 = statistics.median(lat) * 1000
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1000
        codes = ", ".join(f"{c}×{n}" for c, n in sorted(tally.codes[route].items()))
        print(f"{route:42s} {len(lat):5d} {p50:8.0f} {p95:8.0f}  {codes}")
    for failure in sorted(set(tally.failures))[:10]:
        print(f"  no answer: {failure} ×{tally.failures.count(failure)}")


async def post_burst_call(args: argparse.Namespace, token: dict[str, str], wav: bytes) -> bool:
    """Upload one call after the burst and wait (at most --wait s) until the worker has processed it."""
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout) as client:
        files = {"file": ("after-burst.wav", wav, "audio/wav")}
        resp = await client.post(
            "/api/calls", headers=token, files=files, data={"agent_id": str(args.agent_id)}
        )
        if resp.status_code != 202:
            print(f"post-burst call: upload answered {resp.status_code}")
            return False
        call_id = resp.json()["id"]
        start = time.perf_counter()
        status = "queued"
        while time.perf_counter() - start < args.wait:
            status = (await client.get(f"/api/calls/{call_id}", headers=token)).json()["status"]
            if status in ("done", "failed"):
                break
            await asyncio.sleep(1.0)
        waited = time.perf_counter() - start
        left = (await client.get("/health")).json()["queue"]["queued"]
        print(f"post-burst call {call_id}: {status} after {waited:.0f} s (jobs still queued: {left})")
        return status == "done"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5, help="requests per user after logging in")
    parser.add_argument("--user", default="qa", help="login of every simulated user (a qa or admin)")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--agent-id", type=int, default=1, help="agent the uploads are filed under")
    parser.add_argument("--hotline-key", default=None, help="X-Hotline-Key (else the user's token)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--wait", type=float, default=900.0, help="seconds to wait for the post-burst call")
    args = parser.parse_args()
    host = urlparse(args.url).hostname or ""
    if not host.startswith(LOOPBACK):
        sys.exit(f"refusing {args.url}: load is only sent to a server on this machine (loopback)")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
