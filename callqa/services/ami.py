"""The Asterisk AMI adapter: Asterisk's call events drive the callqa hotline, and callqa's choice of agent
is dialled by Asterisk. callqa is the ACD; Asterisk holds the caller, rings the agent and records.

Dialplan contract (README "Connecting a PBX"): the caller waits in an app_queue queue without members
(`Queue(callqa-billing)`, music and announcements from Asterisk); each configured queue name maps to an IVR
choice. Events (Asterisk 13+ names, `Uniqueid` = the caller's channel = the hotline call's PBX call id):

- `QueueCallerJoin` of a configured queue → arrival (`CallerIDNum`, the channel's `Language`,
  `ChanVariable: CALLQA_PRIORITY=n` if manager.conf lists it in `channelvars`). A refused call (no agent
  could ever take it) is sent to the `refused_context` with `CALLQA_REFUSAL` set to the reason.
- the hotline offers the call (at arrival, or later: the adapter polls the open calls) → `Setvar
  CALLQA_AGENT=<the agent's extension>` and `Redirect` to `dial_context` (`Dial(${CALLQA_AGENT},...)`);
- `DialEnd` `DialStatus: ANSWER` → answer; `NOANSWER`/`BUSY`/`CHANUNAVAIL`/`CONGESTION` → reject (the
  hotline offers it elsewhere and the dialplan puts the caller back in the queue); `CANCEL` (the caller
  hung up while it rang) waits for the hang-up;
- `Hangup` (or `QueueCallerAbandon`) of the caller → end if answered, else abandon;
- a talking call its agent escalated (`POST /api/hotline/calls/{id}/escalate`, seen by polling) → the caller
  is `Redirect`ed out of the agent's bridge: to `hold_context` (music on hold) while the next tier has nobody
  free, to `dial_context` as soon as it offers the call to an agent (a blind transfer, one hotline call).

The recording is linked by the PBX call id: MixMonitor on the caller's channel writes its sidecar with
`${UNIQUEID}` when the file is closed (`callqa watch`); the AMI's own `MixMonitorStop`/`Hangup` can come
before the file is closed, so they are not taken as "recording finished".

Restarts and lost connections: panoramisk reconnects every `reconnect_s`; after each login the adapter
reconciles (`Status`: the live channels) with the hotline's open calls: calls whose channel vanished while
nobody listened are ended or abandoned, callers that joined a queue meanwhile arrive, offers are dialled
unless the caller is already ringing. The adapter keeps nothing on disk. Events are handled one at a time
in arrival order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from panoramisk import Manager
from panoramisk.message import Message

log = logging.getLogger("callqa.services.ami")

RING_FAILED = frozenset({"NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION"})
"""DialEnd statuses meaning the agent did not take the call (the hotline re-offers it)."""


@dataclass(frozen=True)
class AmiConfig:
    """Where the AMI listens and how the dialplan is laid out (secrets come from the caller, never a
    default). `queues`: Asterisk queue name → hotline IVR choice; times in seconds."""

    host: str
    port: int
    username: str
    secret: str
    queues: Mapping[str, str]
    dial_context: str = "callqa-agent"
    refused_context: str = "callqa-refused"
    hold_context: str = "callqa-hold"
    poll_s: float = 1.0
    reconnect_s: int = 2  # whole seconds: panoramisk truncates
    action_timeout_s: float = 10.0
    language: str = "en"


@dataclass
class Tracked:
    """A caller's channel this adapter follows: its hotline call, and the extension it was sent to ring
    (None while it waits)."""

    call_id: int
    channel: str
    state: str
    dialled: str | None = None


class HotlineRefused(Exception):
    """The hotline refused the call at arrival; the message is its reason."""


class HotlineApi:
    """The hotline's HTTP API as the adapter uses it (the `X-Hotline-Key` shared secret)."""

    def __init__(self, base_url: str, key: str, *, timeout_s: float = 10.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, headers={"X-Hotline-Key": key}, timeout=timeout_s)

    async def arrive(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post an arrival; a PBX call id already known (adapter restarted) returns the stored call."""
        resp = await self.client.post("/api/hotline/calls", json=body)
        if resp.status_code == 422 and resp.json().get("error") == "HotlineRefusedError":
            raise HotlineRefused(resp.json().get("detail", "refused"))
        if resp.status_code == 409:
            found = await self.find(body["pbx_call_id"])
            if found is not None:
                return found
        resp.raise_for_status()
        return dict(resp.json())

    async def find(self, pbx_call_id: str) -> dict[str, Any] | None:
        resp = await self.client.get("/api/hotline/calls", params={"pbx_call_id": pbx_call_id})
        resp.raise_for_status()
        found = resp.json()
        return dict(found[0]) if found else None

    async def open_calls(self) -> list[dict[str, Any]]:
        resp = await self.client.get("/api/hotline/calls")
        resp.raise_for_status()
        return [dict(c) for c in resp.json()]

    async def event(self, call_id: int, name: str) -> dict[str, Any] | None:
        """answer / reject / end / abandon; None when the call's state no longer fits (already done)."""
        resp = await self.client.post(f"/api/hotline/calls/{call_id}/{name}")
        if resp.status_code == 409:
            log.warning("hotline call %s: %s refused: %s", call_id, name, resp.text)
            return None
        resp.raise_for_status()
        return dict(resp.json())

    async def aclose(self) -> None:
        await self.client.aclose()


def _chan_variables(event: Mapping[str, Any]) -> dict[str, str]:
    """`ChanVariable: NAME=value` headers (one or several) as a dict."""
    raw = event.get("ChanVariable") or []
    values = [raw] if isinstance(raw, str) else list(raw)
    pairs = (v.split("=", 1) for v in values if "=" in v)
    return {k.strip(): v for k, v in pairs}


class _Manager(Manager):  # type: ignore[misc]
    """panoramisk's manager, saying so when Asterisk refuses the login (it would otherwise wait silently)."""

    def login(self, future: asyncio.Future[Message]) -> bool:
        accepted = bool(super().login(future))
        if not accepted:
            log.error(
                "Asterisk refused the AMI login of user %r: check CALLQA_AMI_USERNAME, CALLQA_AMI_SECRET and "
                "manager.conf (permit, read/write classes)",
                self.config["username"],
            )
        return accepted


@dataclass
class AmiAdapter:
    """Follows one Asterisk through its AMI and drives the hotline (see the module docstring)."""

    config: AmiConfig
    hotline: HotlineApi
    calls: dict[str, Tracked] = field(default_factory=dict)
    logins: int = 0
    _queue: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)

    def __post_init__(self) -> None:
        self.manager = _Manager(
            host=self.config.host,
            port=self.config.port,
            username=self.config.username,
            secret=self.config.secret,
            reconnect_timeout=self.config.reconnect_s,
            ping_delay=10,
            on_login=lambda _m: self._queue.put_nowait(("login", None)),
            on_disconnect=lambda _m, exc: log.warning("AMI connection lost (%s); reconnecting", exc),
        )
        for name in ("QueueCallerJoin", "DialEnd", "Hangup", "QueueCallerAbandon"):
            self.manager.register_event(name, self._enqueue)

    def _enqueue(self, _manager: Manager, event: Message) -> None:
        self._queue.put_nowait(("event", event))

    async def run(self, stop: asyncio.Event) -> None:
        """Connect (and reconnect) and handle events until `stop` is set."""
        self.manager.loop = asyncio.get_running_loop()
        self.manager.connect()
        poller = asyncio.create_task(self._poll_forever(stop))
        try:
            while not stop.is_set():
                getter = asyncio.create_task(self._queue.get())
                stopper = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if getter not in done:
                    getter.cancel()
                    break
                kind, item = getter.result()
                try:
                    await self._handle(kind, item)
                except (httpx.HTTPError, ValueError, TimeoutError) as exc:
                    # The hotline is down or answered oddly: the next login/poll reconciles.
                    log.error("could not apply %s %s: %s", kind, getattr(item, "event", ""), exc)
        finally:
            poller.cancel()
            self.manager.close()  # a closed protocol schedules no reconnect

    async def _poll_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.config.poll_s)
            if any(t.state in ("waiting", "offered", "talking") for t in self.calls.values()):
                self._queue.put_nowait(("poll", None))

    async def _handle(self, kind: str, item: Any) -> None:
        if kind == "login":
            self.logins += 1
            await self._reconcile()
        elif kind == "poll":
            await self._refresh(await self.hotline.open_calls())
        else:
            await self._on_event(item)

    # ----- events ----------------------------------------------------------------------------------
    async def _on_event(self, event: Message) -> None:
        name, uid = event.event, str(event.get("Uniqueid", ""))
        tracked = self.calls.get(uid)
        if name == "QueueCallerJoin":
            if tracked is None:  # a known caller back in the queue after a failed ring waits for the hotline
                await self._arrive(event)
        elif tracked is None:
            return
        elif name == "DialEnd":
            status = str(event.get("DialStatus", "")).upper()
            if status == "ANSWER" and tracked.state == "offered":
                await self._apply(uid, tracked, "answer")
            elif status in RING_FAILED and tracked.state == "offered":
                tracked.dialled = None
                await self._apply(uid, tracked, "reject")
        elif name in ("Hangup", "QueueCallerAbandon"):
            await self._apply(uid, tracked, "end" if tracked.state == "talking" else "abandon")
            self.calls.pop(uid, None)

    async def _arrive(self, event: Mapping[str, Any]) -> None:
        variables = _chan_variables(event)
        choice = variables.get("CALLQA_IVR") or self.config.queues.get(str(event.get("Queue", "")))
        if choice is None:
            return  # a queue callqa does not serve
        uid, channel = str(event["Uniqueid"]), str(event["Channel"])
        body = {
            "caller_number": str(event.get("CallerIDNum") or "unknown"),
            "ivr_choice": choice,
            "language": str(event.get("Language") or self.config.language),
            "priority": int(variables.get("CALLQA_PRIORITY", "0") or 0),
            "pbx_call_id": uid,
        }
        try:
            view = await self.hotline.arrive(body)
        except HotlineRefused as refusal:
            log.info("call %s refused: %s", uid, refusal)
            await self._send(
                {"Action": "Setvar", "Channel": channel, "Variable": "CALLQA_REFUSAL", "Value": str(refusal)}
            )
            await self._redirect(channel, self.config.refused_context)
            return
        tracked = Tracked(call_id=int(view["call_id"]), channel=channel, state=str(view["state"]))
        self.calls[uid] = tracked
        await self._dial_if_offered(tracked, view)

    async def _apply(self, uid: str, tracked: Tracked, name: str) -> None:
        view = await self.hotline.event(tracked.call_id, name)
        if view is None:  # someone else moved it on: take the hotline's word
            view = await self.hotline.find(uid)
        if view is not None:
            tracked.state = str(view["state"])
            await self._dial_if_offered(tracked, view)

    # ----- offers ----------------------------------------------------------------------------------
    async def _refresh(self, open_calls: list[dict[str, Any]]) -> None:
        """Dial the calls the hotline offered since the last look."""
        by_uid = {str(c["pbx_call_id"]): c for c in open_calls if c.get("pbx_call_id")}
        for uid, tracked in list(self.calls.items()):
            view = by_uid.get(uid)
            if view is not None:
                escalated = tracked.state == "talking" and view["state"] in ("waiting", "offered")
                tracked.state = str(view["state"])
                if escalated:
                    # Its agent handed the call on to a higher tier: the caller leaves that agent's bridge
                    # (their leg ends), to hold until the next tier's agent is offered it, or to ring them.
                    tracked.dialled = None
                    if tracked.state == "waiting":
                        await self._redirect(tracked.channel, self.config.hold_context)
                await self._dial_if_offered(tracked, view)

    async def _dial_if_offered(self, tracked: Tracked, view: Mapping[str, Any]) -> None:
        extension = view.get("agent_extension")
        if view["state"] != "offered" or not extension or tracked.dialled == extension:
            return
        tracked.dialled = str(extension)
        await self._send(
            {
                "Action": "Setvar",
                "Channel": tracked.channel,
                "Variable": "CALLQA_AGENT",
                "Value": str(extension),
            }
        )
        await self._send(
            {
                "Action": "Setvar",
                "Channel": tracked.channel,
                "Variable": "CALLQA_CALL_ID",
                "Value": str(tracked.call_id),
            }
        )
        await self._redirect(tracked.channel, self.config.dial_context)

    async def _redirect(self, channel: str, context: str) -> None:
        await self._send(
            {"Action": "Redirect", "Channel": channel, "Context": context, "Exten": "s", "Priority": "1"}
        )

    async def _action(self, action: dict[str, str], *, as_list: bool = False) -> Any:
        """Send an AMI action and await its reply; an action written into a connection that is dropping
        would never be answered, so it times out (the reconciliation after the next login repairs)."""
        return await asyncio.wait_for(
            self.manager.send_action(action, as_list=as_list), timeout=self.config.action_timeout_s
        )

    async def _send(self, action: dict[str, str]) -> Any:
        reply = await self._action(action)
        if not getattr(reply, "success", False):
            log.warning(
                "AMI %s on %s failed: %s",
                action["Action"],
                action.get("Channel"),
                getattr(reply, "message", reply),
            )
        return reply

    # ----- reconciliation --------------------------------------------------------------------------
    async def _reconcile(self) -> None:
        """After a login: make the hotline's open calls match the channels Asterisk has now."""
        replies = await self._action({"Action": "Status"}, as_list=True)
        channels = {
            str(r["Uniqueid"]): r
            for r in (replies if isinstance(replies, list) else [])
            if r.get("Event") == "Status" and r.get("Uniqueid")
        }
        open_calls = await self.hotline.open_calls()
        known = set()
        for view in open_calls:
            uid = view.get("pbx_call_id")
            if not uid:
                continue  # not a call this PBX handed over
            uid = str(uid)
            known.add(uid)
            live = channels.get(uid)
            if live is None:  # it hung up while nobody listened
                name = "end" if view["state"] == "talking" else "abandon"
                log.info("call %s (%s) vanished while disconnected: %s", view["call_id"], uid, name)
                await self.hotline.event(int(view["call_id"]), name)
                self.calls.pop(uid, None)
                continue
            tracked = self.calls.get(uid) or Tracked(int(view["call_id"]), str(live["Channel"]), "")
            tracked.state = str(view["state"])
            if str(live.get("Application", "")).lower() == "dial":
                tracked.dialled = view.get("agent_extension")  # already ringing: do not ring twice
            self.calls[uid] = tracked
        for uid in [u for u in self.calls if u not in channels]:
            self.calls.pop(uid)
        for uid, live in channels.items():
            waiting_in = str(live.get("Data", "")).split(",")[0]
            if uid not in known and str(live.get("Application", "")).lower() == "queue":
                await self._arrive({**live, "Queue": waiting_in})  # joined while nobody listened
        await self._refresh(open_calls)
