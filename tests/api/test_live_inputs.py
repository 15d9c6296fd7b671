"""Live audio from a PBX other than one websocket per leg, through a real `callqa serve`: jambonz's stereo
stream (both legs interleaved on one socket) and Asterisk AudioSocket over TCP, announced first."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from bench.live_latency import COMPANY, render_call
from tests.api.live_streams import (
    FRAME,
    AssistServer,
    announce,
    audio_message,
    audiosocket,
    basic,
    events,
    live_keys,
    pbx,
    pcm,
    refused,
)


def test_jambonz_stereo_stream_basic_auth_its_subprotocol_and_metadata(
    assist_live: AssistServer,
) -> None:
    """jambonz `listen` with `wsAuth` and `mixType: stereo`: the hotline key as the Basic password, its
    subprotocol chosen, audio it describes as other than 8 kHz or mono/stereo as the route takes refused."""
    live, tom, _ = assist_live
    stereo = f"{live.url.replace('http', 'ws')}/api/live/calls/jz-1/stereo?agent_id={tom}"
    assert refused(live, stereo, basic("wrong")) == 401
    assert refused(live, stereo, {"Authorization": "Basic !!"}) == 401
    with connect(
        stereo,
        additional_headers=basic(live.env["CALLQA_HOTLINE_KEY"]),
        subprotocols=[Subprotocol("audio.jambonz.org")],
    ) as ws:
        assert ws.subprotocol == "audio.jambonz.org"
        listed = httpx.get(f"{live.url}/api/live/calls", headers=live.token("qa")).json()
        assert [(c["key"], c["legs"]) for c in listed] == [
            ("jz-1", ["agent", "caller"])
        ]  # both legs, one socket
        ws.send(b"\x00" * 6)  # 1.5 stereo samples
        with pytest.raises(ConnectionClosed) as split:
            ws.recv(timeout=30)
        assert split.value.rcvd is not None and split.value.rcvd.code == 1003
    for meta in ({"sampleRate": 16000, "mixType": "stereo"}, {"sampleRate": 8000, "mixType": "mono"}):
        with connect(stereo, additional_headers=pbx(live)) as ws:
            ws.send(json.dumps({"callSid": "jz-1", **meta}))
            with pytest.raises(ConnectionClosed) as wrong:
                ws.recv(timeout=30)
            assert wrong.value.rcvd is not None and wrong.value.rcvd.code == 1003, meta


@pytest.mark.slow
def test_a_stereo_stream_is_heard_as_both_legs(assist_live: AssistServer) -> None:
    """The caller on the left channel, as jambonz sends a bridged call: the greeting is the agent's, the
    complaint the caller's."""
    live, tom, _ = assist_live
    legs, reference = render_call()
    until = int(float(str(reference[2]["start"])) * 8000)
    both = np.stack([legs["caller"][:until], legs["agent"][:until]], axis=1).reshape(-1)
    key = "jz-2"
    seen: list[dict[str, Any]] = []
    ready = threading.Event()
    url = f"{live.url.replace('http', 'ws')}/api/live/calls/{key}/stereo?agent_id={tom}"
    with connect(url, additional_headers=pbx(live), open_timeout=120) as ws:
        ws.send(json.dumps({"callSid": key, "sampleRate": 8000, "mixType": "stereo"}))
        watcher = threading.Thread(target=events, args=(live, key, "qa", seen, ready))
        watcher.start()
        assert ready.wait(60)
        for begin in range(0, both.size, 2 * FRAME):
            ws.send(pcm(both[begin : begin + 2 * FRAME]))
    watcher.join(timeout=600)
    said = {
        leg: " ".join(u["turn"]["text"].lower() for u in seen if u["turn"] and u["turn"]["speaker"] == leg)
        for leg in ("agent", "caller")
    }
    assert "bluebird" in said["agent"] and "terrible" in said["caller"], said


def test_asterisk_audiosocket_streams_are_announced_by_the_pbx_then_taken_over_tcp(
    assist_live: AssistServer,
) -> None:
    live, tom, _ = assist_live
    stream = uuid.uuid4()
    assert announce(live, stream, {}, key="as-1", leg="caller", agent_id=tom) == 401
    assert announce(live, stream, pbx(live), key="as-1", leg="caller", agent_id=9999) == 404
    with audiosocket(live, stream) as unannounced:  # closed without any work
        assert unannounced.recv(16) == b""
    assert live_keys(live) == []
    assert announce(live, stream, pbx(live), key="as-1", leg="caller", agent_id=tom) == 204
    with audiosocket(live, stream) as sock:
        for _ in range(25):  # 0.5 s of silence in 20 ms frames, as AudioSocket sends them
            sock.sendall(audio_message(np.zeros(FRAME, np.float32)))
        deadline = time.monotonic() + 60
        while live_keys(live) != [("as-1", ["caller"])]:
            assert time.monotonic() < deadline, live_keys(live)
            time.sleep(0.2)
        sock.sendall(bytes([0x00, 0, 0]))  # hang-up
        assert sock.recv(16) == b""
    assert live_keys(live) == []
    with audiosocket(live, stream) as reused:  # an announcement opens one stream only
        assert reused.recv(16) == b""


@pytest.mark.slow
def test_an_audiosocket_leg_is_decoded(assist_live: AssistServer) -> None:
    live, tom, _ = assist_live
    legs, reference = render_call()
    until = int(float(str(reference[1]["start"])) * 8000)  # the greeting
    stream = uuid.uuid4()
    assert announce(live, stream, pbx(live), key="as-2", leg="agent", agent_id=tom, company=COMPANY) == 204
    seen: list[dict[str, Any]] = []
    ready = threading.Event()
    with audiosocket(live, stream) as sock:
        deadline = time.monotonic() + 120
        while not live_keys(live):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        watcher = threading.Thread(target=events, args=(live, "as-2", "qa", seen, ready))
        watcher.start()
        assert ready.wait(60)
        audio = np.concatenate([legs["agent"][:until], np.zeros(8000, np.float32)])
        for begin in range(0, audio.size, FRAME):
            sock.sendall(audio_message(audio[begin : begin + FRAME]))
        sock.sendall(bytes([0x00, 0, 0]))
        assert sock.recv(16) == b""
    watcher.join(timeout=600)
    said = " ".join(u["turn"]["text"].lower() for u in seen if u["turn"])
    assert "bluebird" in said, seen
