"""A real TCP server on localhost speaking the Asterisk Manager Interface, for the AMI adapter's tests.

It greets with the banner, answers Login (checking the secret), Ping, Status (the live channels, as an
event list), Setvar and Redirect, and replays to every logged-in client the event streams in
`ami_streams/` (Asterisk 18 events, fields as Asterisk sends them; `{placeholders}` filled per call).
Like Asterisk it follows the channels those events describe, so `Status` after a reconnect tells what
is still alive, and a `Redirect` moves a channel into the dialling context. Events emitted while no
client is connected are lost, as with a real Asterisk.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STREAMS = Path(__file__).parent / "ami_streams"
EOL = "\r\n"


def parse_block(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            fields[key] = value
        elif line.endswith(":"):
            fields[line[:-1]] = ""
    return fields


def render(fields: dict[str, str]) -> str:
    return "".join(f"{k}: {v}{EOL}" for k, v in fields.items()) + EOL


@dataclass
class PbxCall:
    """The placeholders of one caller's stream."""

    uid: str
    caller: str
    queue: str = "callqa-billing"
    language: str = "en"
    agent_number: str = "PJSIP/1001"

    def values(self) -> dict[str, str]:
        seq = self.uid.split(".")[-1]
        return {
            "uid": self.uid,
            "caller": self.caller,
            "channel": f"PJSIP/trunk-0000{seq}",
            "queue": self.queue,
            "language": self.language,
            "agent_number": self.agent_number,
            "agent_channel": f"{self.agent_number}-0000a{seq}",
            "agent_uid": f"{self.uid}1",
            "bridge": f"{int(seq):012d}",
        }


class AmiServer:
    """See the module docstring. `actions`: every action received (fields), in order."""

    def __init__(self, username: str, secret: str) -> None:
        self.username, self.secret = username, secret
        self.actions: list[dict[str, str]] = []
        self.logins = 0
        self.channels: dict[str, dict[str, str]] = {}
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()  # an event never lands inside a reply on the same socket
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    # ----- test controls ---------------------------------------------------------------------------
    def emit(self, stream: str, call: PbxCall) -> None:
        """Replay `ami_streams/<stream>.ami` for `call` to every logged-in client."""
        text = (STREAMS / f"{stream}.ami").read_text().format(**call.values())
        for block in text.replace("\r\n", "\n").split("\n\n"):
            fields = parse_block(block)
            if "Event" not in fields:
                continue
            self._follow(fields)
            self._broadcast(render(fields))

    def drop_connections(self) -> None:
        """The network between the adapter and Asterisk fails: every client connection is cut."""
        with self._lock:
            clients, self._clients = self._clients, []
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def wait_action(
        self, predicate: Callable[[dict[str, str]], bool], timeout_s: float = 20.0
    ) -> dict[str, str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                found = [a for a in self.actions if predicate(a)]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no such action among {self.actions}")

    def redirects(self, channel: str) -> list[dict[str, str]]:
        with self._lock:
            return [a for a in self.actions if a.get("Action") == "Redirect" and a.get("Channel") == channel]

    def stop(self) -> None:
        self._running = False
        self.drop_connections()
        self._listener.close()

    # ----- the channels Asterisk would have --------------------------------------------------------
    def _follow(self, event: dict[str, str]) -> None:
        uid, name = event.get("Uniqueid", ""), event["Event"]
        with self._lock:
            if name == "Newchannel":
                self.channels[uid] = {k: event[k] for k in ("Channel", "CallerIDNum", "Language", "Uniqueid")}
                self.channels[uid].update(Application="", Data="")
            elif name == "QueueCallerJoin" and uid in self.channels:
                self.channels[uid].update(Application="Queue", Data=f"{event['Queue']},t,,,300")
            elif name == "DialBegin" and uid in self.channels:
                self.channels[uid].update(Application="Dial", Data=event.get("DialString", ""))
            elif name == "Hangup":
                self.channels.pop(uid, None)

    # ----- the protocol ------------------------------------------------------------------------------
    def _accept(self) -> None:
        while self._running:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _broadcast(self, text: str) -> None:
        with self._lock:
            clients = list(self._clients)
        for sock in clients:
            self._send(sock, text)

    def _serve(self, sock: socket.socket) -> None:
        self._send(sock, f"Asterisk Call Manager/5.0.1{EOL}")
        buffer = ""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            buffer += data.decode()
            while EOL + EOL in buffer:
                block, buffer = buffer.split(EOL + EOL, 1)
                self._answer(sock, parse_block(block))
        sock.close()

    def _answer(self, sock: socket.socket, action: dict[str, str]) -> None:
        name = {k.lower(): v for k, v in action.items()}.get("action", "").lower()
        action_id = {k.lower(): v for k, v in action.items()}.get("actionid", "")
        with self._lock:
            self.actions.append(action)
        reply: list[dict[str, str]]
        if name == "login":
            fields = {k.lower(): v for k, v in action.items()}
            if fields.get("username") != self.username or fields.get("secret") != self.secret:
                reply = [{"Response": "Error", "ActionID": action_id, "Message": "Authentication failed"}]
            else:
                reply = [
                    {"Response": "Success", "ActionID": action_id, "Message": "Authentication accepted"},
                    {
                        "Event": "FullyBooted",
                        "Privilege": "system,all",
                        "Uptime": "12",
                        "LastReload": "12",
                        "Status": "Fully Booted",
                    },
                ]
                with self._lock:
                    self.logins += 1
                    self._clients.append(sock)
        elif name == "ping":
            reply = [
                {
                    "Response": "Success",
                    "ActionID": action_id,
                    "Ping": "Pong",
                    "Timestamp": f"{time.time():.6f}",
                }
            ]
        elif name == "status":
            with self._lock:
                live = [dict(c) for c in self.channels.values()]
            reply = [
                {
                    "Response": "Success",
                    "ActionID": action_id,
                    "EventList": "start",
                    "Message": "Channel status will follow",
                }
            ]
            reply += [{"Event": "Status", "Privilege": "Call", "ActionID": action_id, **c} for c in live]
            reply.append(
                {
                    "Event": "StatusComplete",
                    "ActionID": action_id,
                    "EventList": "Complete",
                    "ListItems": str(len(live)),
                    "Items": str(len(live)),
                }
            )
        elif name in ("setvar", "redirect"):
            channel = action.get("Channel", "")
            with self._lock:
                known = any(c["Channel"] == channel for c in self.channels.values())
            if not known:
                reply = [{"Response": "Error", "ActionID": action_id, "Message": "No such channel"}]
            else:
                message = "Variable Set" if name == "setvar" else "Redirect successful"
                reply = [{"Response": "Success", "ActionID": action_id, "Message": message}]
        else:
            reply = [{"Response": "Error", "ActionID": action_id, "Message": "Invalid/unknown command"}]
        self._send(sock, "".join(render(r) for r in reply))

    def _send(self, sock: socket.socket, text: str) -> None:
        with self._send_lock, contextlib.suppress(OSError):
            sock.sendall(text.encode())
