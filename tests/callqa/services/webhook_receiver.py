"""A real HTTP receiver on localhost for webhook tests: records every request (headers and body) and
answers as told — fail the first N requests, hang on one, then accept."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


class Receiver:
    """`fail_first`: answer 500 to that many requests; `hang_first`: hold that many requests open for
    `hang_s` seconds (answering 200 afterwards, when a client is still there)."""

    def __init__(self, *, fail_first: int = 0, hang_first: int = 0, hang_s: float = 30.0) -> None:
        self.received: list[Received] = []
        self.fail_left, self.hang_left, self.hang_s = fail_first, hang_first, hang_s
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    hang = receiver.hang_left > 0
                    receiver.hang_left -= hang
                    fail = not hang and receiver.fail_left > 0
                    receiver.fail_left -= fail
                    code = 500 if fail else 200
                    # a held request counts as unanswered (0): its sender has given up by the time it is
                    receiver.received.append(Received(dict(self.headers.items()), body, 0 if hang else code))
                if hang:
                    time.sleep(receiver.hang_s)
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if fail else b"ok")

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.answered == 200]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
