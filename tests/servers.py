"""Throwaway servers for the test session and the benches: a PostgreSQL cluster and a Redis broker started
from the Debian packages, each in its own temporary directory on a free localhost port, password-protected,
and stopped (its directory deleted) when done.

Both run as children that die with the process that started them (Linux parent-death signal), so a test
run that is killed leaves no server behind. initdb and postgres refuse to run as root: as root (this
machine and CI) they run as the `postgres` user the Debian package creates.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")
START_TIMEOUT_S = 60.0


class ServerUnavailable(RuntimeError):
    """The server's program is not installed here; the message says which package brings it."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the thread that started it ends."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class _Child:
    """A server process with its folder; `stop` ends it with `stop_signal` and deletes the folder."""

    def __init__(self, folder: Path, stop_signal: signal.Signals) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self._stop_signal = stop_signal

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def _spawn(self, argv: list[str], *, user: str | None = None) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=user,
                group=_group_of(user),
                preexec_fn=_die_with_parent,
            )

    def _wait_ready(self, ready: Callable[[], None], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{what} exited at start:\n{self.log.read_text()[-2000:]}")
            try:
                ready()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def halt(self) -> None:
        """End the process (the folder stays)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(self._stop_signal)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """End the process and delete its folder."""
        self.halt()
        shutil.rmtree(self.folder, ignore_errors=True)


def _group_of(user: str | None) -> int | None:
    return None if user is None else pwd.getpwnam(user).pw_gid


def _folder(prefix: str, owner: str | None) -> Path:
    # Directly under the system temp dir: pytest's own temp dirs are private to root, and the postgres
    # user must be able to reach its data directory.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return folder


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH)."""
    versions = sorted(
        (p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: float(p.parent.name) if p.parent.name.replace(".", "").isdigit() else 0.0,
    )
    if not versions:
        raise ServerUnavailable(f"no PostgreSQL under {PG_ROOT} (Debian package `postgresql`)")
    return versions[-1]


class PostgresServer(_Child):
    """A fresh PostgreSQL cluster (fsync off: throwaway data) with one database, `callqa_test`, owned by
    the superuser `callqa`; `url` is its SQLAlchemy URL (psycopg 3, TCP on 127.0.0.1)."""

    DATABASE = "callqa_test"

    def __init__(self) -> None:
        bindir = postgres_bindir()
        user = "postgres" if os.geteuid() == 0 else None
        super().__init__(_folder("callqa-pg-", user), signal.SIGINT)  # SIGINT: fast shutdown
        self.port = free_port()
        password = secrets.token_hex(16)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(password + "\n")
        if user is not None:
            os.chown(pwfile, pwd.getpwnam(user).pw_uid, -1)
        data = self.folder / "data"
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "callqa", f"--pwfile={pwfile}"]
        init = subprocess.run(
            [*initdb, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"],
            capture_output=True,
            text=True,
            user=user,
            group=_group_of(user),
        )
        pwfile.unlink()
        if init.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        argv = [str(bindir / "postgres"), "-D", str(data), "-p", str(self.port)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self._spawn(argv, user=user)
        base = f"callqa:{password}@127.0.0.1:{self.port}"
        self._wait_ready(lambda: _psql(f"postgresql://{base}/postgres", None), "postgres")
        _psql(f"postgresql://{base}/postgres", f"CREATE DATABASE {self.DATABASE}")
        self.url = f"postgresql+psycopg://{base}/{self.DATABASE}"


def _psql(url: str, statement: str | None) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement or "SELECT 1")


class RedisServer(_Child):
    """A Redis server without persistence (a restart loses every message, as a broker without persistence
    would); `url` is its redis:// URL with the password."""

    def __init__(self, port: int | None = None) -> None:
        if shutil.which("redis-server") is None:
            raise ServerUnavailable("redis-server not installed (Debian package `redis-server`)")
        super().__init__(_folder("callqa-redis-", None), signal.SIGTERM)
        self.port = port or free_port()
        self._password = secrets.token_hex(16)
        self.url = f"redis://:{self._password}@127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        """Start (or start again after `halt`) on the same port, empty."""
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        argv += ["--save", "", "--appendonly", "no", "--requirepass", self._password]
        self._spawn(argv)
        self._wait_ready(self._ping, "redis-server")

    def restart(self) -> None:
        """Stop and start again: what was queued is gone."""
        self.halt()
        self.start()

    def _ping(self) -> None:
        import redis

        with contextlib.closing(redis.Redis.from_url(self.url, socket_timeout=2)) as client:
            client.ping()
