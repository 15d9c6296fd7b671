"""The AMI adapter end to end: a real `callqa serve`, a real localhost TCP server speaking the Asterisk
Manager Interface (replaying recorded Asterisk 18 event streams) and `callqa pbx ami` between them, as
separate processes. A routed call is rung, answered, ended and its recording linked; a ring nobody
answers goes to the next agent; a refused call is sent away with its reason; the adapter restarted
mid-call, and a lost AMI connection, leave the hotline matching Asterisk's channels."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from models import Call, make_engine, make_session_factory
from tests.callqa.services.ami_server import AmiServer, PbxCall
from tests.conftest import callqa_ok, write_tone_call
from tests.live import LiveServer, live_server, seed_database, server_env, stop, wait_for

AMI_USER, AMI_SECRET = "callqa", "ami-test-secret"


@dataclass
class Pbx:
    server: LiveServer
    ami: AmiServer
    hotline: httpx.Client
    admin: httpx.Client
    tom: int
    env: dict[str, str]
    log_dir: Path
    db_url: str

    def adapter(self, name: str) -> subprocess.Popen[bytes]:
        env = {**self.env, "CALLQA_AMI_USERNAME": AMI_USER, "CALLQA_AMI_SECRET": AMI_SECRET}
        cmd = [
            sys.executable,
            "-m",
            "callqa",
            "pbx",
            "ami",
            "--queue",
            "callqa-billing=1",
            "--port",
            str(self.ami.port),
            "--url",
            self.server.url,
            "--poll",
            "0.2",
            "--reconnect",
            "1",
        ]
        with (self.log_dir / f"{name}.log").open("wb") as out:
            return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)

    def call(self, pbx_call_id: str) -> dict[str, object]:
        [found] = self.hotline.get("/api/hotline/calls", params={"pbx_call_id": pbx_call_id}).json()
        return dict(found)

    def state_becomes(self, pbx_call_id: str, state: str, timeout_s: float = 20) -> bool:
        def check() -> bool:
            found = self.hotline.get("/api/hotline/calls", params={"pbx_call_id": pbx_call_id}).json()
            return bool(found) and found[0]["state"] == state

        return wait_for(check, timeout_s)

    def add_agent(self, name: str, extension: str) -> int:
        agent = self.admin.post("/api/agents", json={"name": name})
        assert agent.status_code == 201, agent.text
        agent_id = int(agent.json()["id"])
        self.route(agent_id, extension)
        return agent_id

    def route(self, agent_id: int, extension: str) -> None:
        self.admin.put(f"/api/agents/{agent_id}/skills", json={"billing": 3}).raise_for_status()
        self.admin.put(f"/api/agents/{agent_id}/routing", json={"extension": extension}).raise_for_status()
        self.hotline.put(
            f"/api/hotline/agents/{agent_id}/state", json={"status": "available"}
        ).raise_for_status()


@pytest.fixture
def pbx(tmp_path: Path) -> Iterator[Pbx]:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'callqa.db'}"
    tom = seed_database(url)
    config = tmp_path / "hotline.yaml"
    config.write_text("wrap_up_s: 1\nivr: {'1': {billing: 1}}\n")
    env = server_env(data, routing_config_path=str(config))
    ami = AmiServer(AMI_USER, AMI_SECRET)
    with live_server(env, tmp_path / "server.log", worker=False) as server:
        hotline = httpx.Client(
            base_url=server.url, headers={"X-Hotline-Key": env["CALLQA_HOTLINE_KEY"]}, timeout=30
        )
        admin = httpx.Client(base_url=server.url, headers=server.token("admin"), timeout=30)
        box = Pbx(server, ami, hotline, admin, tom, env, tmp_path, url)
        box.route(tom, "PJSIP/1001")
        try:
            yield box
        finally:
            ami.stop()


def _logs(pbx: Pbx) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(pbx.log_dir.glob("*.log")))


def test_a_call_through_asterisk_is_routed_rung_answered_ended_and_its_recording_linked(
    pbx: Pbx, tmp_path: Path
) -> None:
    adapter = pbx.adapter("adapter")
    try:
        assert wait_for(lambda: pbx.ami.logins == 1, 30), _logs(pbx)
        call = PbxCall("1765000000.11", "+44 20 7946 0011")
        pbx.ami.emit("join", call)
        channel = call.values()["channel"]
        # callqa chose tom; Asterisk is told to ring his extension.
        pbx.ami.wait_action(lambda a: a.get("Action") == "Redirect" and a.get("Channel") == channel)
        setvars = [a for a in pbx.ami.actions if a.get("Action") == "Setvar" and a.get("Channel") == channel]
        assert {"Variable": "CALLQA_AGENT", "Value": "PJSIP/1001"}.items() <= setvars[0].items()
        assert pbx.call(call.uid)["state"] == "offered" and pbx.call(call.uid)["agent_id"] == pbx.tom
        pbx.ami.emit("ring", call)
        pbx.ami.emit("answer", call)
        assert pbx.state_becomes(call.uid, "talking"), _logs(pbx)
        pbx.ami.emit("hangup", call)  # the agent's channel hangs up first: only the caller's ends the call
        assert pbx.state_becomes(call.uid, "ended"), _logs(pbx)
        assert pbx.hotline.get(f"/api/hotline/agents/{pbx.tom}").json()["status"] == "wrap_up"
        assert len(pbx.ami.redirects(channel)) == 1  # rung once
    finally:
        stop(adapter)

    # MixMonitor's end command wrote the sidecar with ${UNIQUEID}: the recording joins the routed call.
    spool = tmp_path / "spool"
    spool.mkdir()
    write_tone_call(spool / f"{call.uid}.wav")
    (spool / f"{call.uid}.json").write_text(json.dumps({"pbx_call_id": call.uid, "started_at": 1765000000}))
    callqa_ok("watch", str(spool), "--once", env=pbx.env)
    hotline_call = pbx.call(call.uid)
    with make_session_factory(make_engine(pbx.db_url))() as s:
        [stored] = s.scalars(select(Call).where(Call.pbx_call_id == call.uid)).all()
        assert stored.hotline_call_id == hotline_call["call_id"] and stored.agent_id == pbx.tom


def test_an_unanswered_ring_goes_to_the_next_agent_and_a_refused_call_is_sent_away(pbx: Pbx) -> None:
    adapter = pbx.adapter("adapter")
    try:
        assert wait_for(lambda: pbx.ami.logins == 1, 30), _logs(pbx)
        first = PbxCall("1765000100.21", "+44 20 7946 0021")
        pbx.ami.emit("join", first)
        channel = first.values()["channel"]
        pbx.ami.wait_action(lambda a: a.get("Action") == "Redirect" and a.get("Channel") == channel)
        pbx.ami.emit("ring", first)
        # Only now another agent logs in: the re-offer must come from the hotline, not from the arrival.
        ann = pbx.add_agent("Ann Smith", "PJSIP/1002")
        pbx.ami.emit(
            "no_answer", first
        )  # tom did not pick up; the dialplan puts the caller back in the queue
        assert wait_for(lambda: len(pbx.ami.redirects(channel)) == 2, 20), _logs(pbx)
        assert pbx.call(first.uid)["agent_id"] == ann and pbx.call(first.uid)["state"] == "offered"
        agents = [a["Value"] for a in pbx.ami.actions if a.get("Variable") == "CALLQA_AGENT"]
        assert agents == ["PJSIP/1001", "PJSIP/1002"]

        # A caller asking in a language nobody speaks is refused with the reason, not queued for ever.
        refused = PbxCall("1765000100.22", "+44 20 7946 0022", language="fr")
        pbx.ami.emit("join", refused)
        away = pbx.ami.wait_action(
            lambda a: a.get("Action") == "Redirect" and a.get("Channel") == refused.values()["channel"]
        )
        assert away["Context"] == "callqa-refused"
        [reason] = [a["Value"] for a in pbx.ami.actions if a.get("Variable") == "CALLQA_REFUSAL"]
        assert "fr" in reason
        assert pbx.hotline.get("/api/hotline/calls", params={"pbx_call_id": refused.uid}).json() == []
    finally:
        stop(adapter)


def test_an_escalated_call_waits_on_hold_then_rings_the_second_line(pbx: Pbx) -> None:
    adapter = pbx.adapter("adapter")
    try:
        assert wait_for(lambda: pbx.ami.logins == 1, 30), _logs(pbx)
        call = PbxCall("1765000300.41", "+44 20 7946 0041")
        pbx.ami.emit("join", call)
        channel = call.values()["channel"]
        pbx.ami.wait_action(lambda a: a.get("Action") == "Redirect" and a.get("Channel") == channel)
        pbx.ami.emit("ring", call)
        pbx.ami.emit("answer", call)
        assert pbx.state_becomes(call.uid, "talking"), _logs(pbx)
        eve = pbx.admin.post("/api/agents", json={"name": "Eve Expert", "skills": {"billing": 5}, "tier": 2})
        eve_id = int(eve.json()["id"])
        pbx.admin.put(f"/api/agents/{eve_id}/routing", json={"extension": "PJSIP/1009", "tier": 2})

        # Tom hands the call on; nobody of the second line is free yet: the caller goes to hold.
        hotline_id = pbx.call(call.uid)["call_id"]
        escalated = pbx.hotline.post(f"/api/hotline/calls/{hotline_id}/escalate", json={"reason": "refund"})
        assert escalated.status_code == 200, escalated.text
        assert wait_for(lambda: len(pbx.ami.redirects(channel)) == 2, 20), _logs(pbx)
        hold = pbx.ami.redirects(channel)[-1]
        assert hold["Context"] == "callqa-hold"
        # Eve becomes free: the same caller is rung at her extension and she answers.
        pbx.hotline.put(
            f"/api/hotline/agents/{eve_id}/state", json={"status": "available"}
        ).raise_for_status()
        assert wait_for(lambda: len(pbx.ami.redirects(channel)) == 3, 20), _logs(pbx)
        assert pbx.ami.redirects(channel)[-1]["Context"] == "callqa-agent"
        agents = [a["Value"] for a in pbx.ami.actions if a.get("Variable") == "CALLQA_AGENT"]
        assert agents == ["PJSIP/1001", "PJSIP/1009"]
        second_leg = PbxCall(call.uid, call.caller, agent_number="PJSIP/1009")
        pbx.ami.emit("answer", second_leg)
        assert wait_for(lambda: pbx.call(call.uid)["state"] == "talking", 20), _logs(pbx)
        assert pbx.call(call.uid)["agent_id"] == eve_id
    finally:
        stop(adapter)


def test_a_restarted_adapter_and_a_lost_connection_leave_the_hotline_matching_asterisk(pbx: Pbx) -> None:
    ann = pbx.add_agent("Ann Smith", "PJSIP/1002")
    talking = PbxCall("1765000200.31", "+44 20 7946 0031")
    gone = PbxCall("1765000200.32", "+44 20 7946 0032", agent_number="PJSIP/1002")
    adapter = pbx.adapter("first")
    try:
        assert wait_for(lambda: pbx.ami.logins == 1, 30), _logs(pbx)
        for call in (talking, gone):
            pbx.ami.emit("join", call)
            assert wait_for(lambda: len(pbx.ami.redirects(call.values()["channel"])) == 1, 20)  # noqa: B023
            pbx.ami.emit("ring", call)
            pbx.ami.emit("answer", call)
            assert pbx.state_becomes(call.uid, "talking"), _logs(pbx)
    finally:
        adapter.kill()  # mid-call, no goodbye
        adapter.wait()
    freed = pbx.call(gone.uid)["agent_id"]
    assert {freed, pbx.call(talking.uid)["agent_id"]} == {pbx.tom, ann}
    pbx.ami.emit("hangup", gone)  # nobody listens
    late = PbxCall("1765000200.33", "+44 20 7946 0033")
    pbx.ami.emit("join", late)  # joins the queue while nobody listens

    adapter = pbx.adapter("second")
    try:
        assert wait_for(lambda: pbx.ami.logins == 2, 30), _logs(pbx)
        assert pbx.state_becomes(gone.uid, "ended"), _logs(pbx)  # reconciled from Status
        # It arrived after all, and is rung once the agent of the vanished call is free again.
        assert pbx.state_becomes(late.uid, "offered"), _logs(pbx)
        assert wait_for(lambda: len(pbx.ami.redirects(late.values()["channel"])) == 1, 20)
        assert pbx.call(late.uid)["agent_id"] == freed
        assert (
            len(pbx.ami.redirects(talking.values()["channel"])) == 1
        )  # the talking caller is not rung again
        pbx.ami.emit("hangup", talking)  # followed after the restart without its join
        assert pbx.state_becomes(talking.uid, "ended"), _logs(pbx)

        # The AMI connection drops; meanwhile the rung caller gives up. Reconnected, the adapter sees it.
        pbx.ami.drop_connections()
        pbx.ami.emit("abandon", late)
        assert wait_for(lambda: pbx.ami.logins == 3, 30), _logs(pbx)
        assert pbx.state_becomes(late.uid, "abandoned"), _logs(pbx)
        assert pbx.hotline.get("/api/hotline/calls").json() == []
    finally:
        stop(adapter)


def test_a_refused_login_is_reported_not_waited_on_silently(tmp_path: Path) -> None:
    ami = AmiServer(AMI_USER, AMI_SECRET)
    env = {**server_env(tmp_path), "CALLQA_AMI_USERNAME": AMI_USER, "CALLQA_AMI_SECRET": "wrong-secret"}
    log = tmp_path / "adapter.log"
    cmd = [sys.executable, "-m", "callqa", "pbx", "ami", "--queue", "q=1", "--port", str(ami.port)]
    with log.open("wb") as out:
        adapter = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: "refused the AMI login of user 'callqa'" in log.read_text(), 30), (
            log.read_text()
        )
        assert ami.logins == 0
    finally:
        stop(adapter)
        ami.stop()
    missing = subprocess.run(
        [*cmd[:3], "pbx", "ami", "--queue", "q=1"],
        env={k: v for k, v in env.items() if k != "CALLQA_AMI_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "CALLQA_AMI_SECRET" in missing.stdout + missing.stderr
