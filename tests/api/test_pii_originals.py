"""Personal data on a running server: what agents and QA can reach is redacted, originals are admins' only
and every read of one is audited."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from api.pages import admin as page_admin
from api.pages import agents as page_agents
from api.pages import auth as page_auth
from api.pages import calls as page_calls
from api.pages import queue as page_queue
from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.ingest import ingest_recording
from callqa.services.processing import process_call
from callqa.settings import Settings
from models import AuditEvent, Call, PiiOriginal
from tests.api.conftest import PASSWORD, ApiEnv, LiveServer, http
from transcription.recognizer import FloatArray, Utterance, Word

CARD_WORDS = ["my", "card", "is", "4532", "0151", "1283", "0366", "thanks"]


class CardSayingRecognizer:
    """Hears a card number from 1.0 s on, on every leg (the audio is real; what it says is scripted)."""

    name = "fake:card"

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        words = tuple(Word(w, 1.0 + 0.5 * i, 1.4 + 0.5 * i) for i, w in enumerate(CARD_WORDS))
        return [Utterance(start=1.0, end=words[-1].end, text=" ".join(CARD_WORDS), words=words)]


def _process(env: ApiEnv, source: Path, policy: str) -> tuple[int, Path]:
    settings = Settings(
        data_dir=env.settings.data_dir, second_opinion=False, pii_policy=policy, pii_audio_pad_s=0.2
    )
    analyzer = CallAnalyzer(settings, recognizer=CardSayingRecognizer())
    with env.factory() as s:
        call = ingest_recording(
            s, source=source, recordings_dir=settings.recordings_dir, agent_id=env.agent_id
        )
        s.commit()
        stored = settings.recordings_dir / call.recording.path  # type: ignore[union-attr]
        process_call(s, call, analyzer)
        call.status = "done"
        s.commit()
        return call.id, stored


def _get_routes(env: ApiEnv) -> list[str]:
    """Every GET route of the app: the JSON API (from its OpenAPI document) and the pages (outside it)."""
    app = env.client.app
    api_paths = [p for p, ops in app.openapi()["paths"].items() if "get" in ops]  # type: ignore[attr-defined]
    page_paths = [
        r.path
        for module in (page_auth, page_queue, page_calls, page_agents, page_admin)
        for r in module.router.routes
        if isinstance(r, APIRoute) and "GET" in (r.methods or ())
    ]
    # logging out would end the test's session; an event stream never ends (and carries no call data)
    return sorted(p for p in {*api_paths, *page_paths} - {"/logout"} if not p.endswith("/stream"))


def test_no_route_serves_personal_data_to_agents_or_qa(live: LiveServer, speech_call: Path) -> None:
    env = live.env
    call_id, ingested = _process(env, speech_call, "redacted_and_original")
    assert not ingested.exists()  # the unredacted upload is gone from the recordings
    routes = _get_routes(env)
    assert "/api/calls/{call_id}/original/transcript" in routes and "/calls/{call_id}" in routes
    for username in ("qa", "tom"):  # tom took the call: his own call, still no original
        headers = live.token(username)
        pages = httpx.Client(base_url=live.url, timeout=120)
        assert pages.post("/login", data={"username": username, "password": PASSWORD}).status_code in (
            200,
            303,
        )
        for route in routes:
            path = route.replace("{call_id}", str(call_id)).replace("{agent_id}", str(env.agent_id))
            path = path.replace("{review_id}", "1").replace("{month}", "2026-11")
            for resp in (http.get(live.url + path, headers=headers), pages.get(path)):
                assert "4532" not in resp.text and "0366" not in resp.text, (username, path)
                if "/original/" in path:
                    assert resp.status_code in (403, 404), (username, path, resp.status_code)
    # the call page (here the agent's, logged in last) shows the token and plays the stored recording
    page = pages.get(f"/calls/{call_id}")
    assert page.status_code == 200 and "[CARD]" in page.text
    assert f'src="/api/calls/{call_id}/audio"' in page.text
    qa = live.token("qa")
    transcript = http.get(f"{live.url}/api/calls/{call_id}/transcript", headers=qa).json()
    assert all(seg["text"] == "my card is [CARD] thanks" for seg in transcript)
    card = next(w for w in transcript[0]["words"] if w["text"] == "[CARD]")
    assert (card["start"], card["end"]) == (2.5, 4.4)  # the digits' times are kept
    audio, rate = sf.read(io.BytesIO(http.get(f"{live.url}/api/calls/{call_id}/audio", headers=qa).content))
    original, _ = sf.read(speech_call)
    span = slice(int(2.3 * rate), int(4.6 * rate))  # the digits ± the 0.2 s pad
    assert np.all(audio[span] == 0) and np.any(original[span] != 0)
    # The agent leg is untouched outside the digits ± pad. The caller leg only before the caller spoke
    # (1.0 s less the pad): since the PII work of this stop, redaction widens over the caller's whole answer
    # around a card cue (qa/pii/widen.py), a false silence costing less than a heard digit.
    assert np.allclose(audio[: int(2.2 * rate), 0], original[: int(2.2 * rate), 0], atol=1e-3)
    assert np.allclose(audio[: int(0.8 * rate), 1], original[: int(0.8 * rate), 1], atol=1e-3)
    with env.factory() as s:
        assert s.scalars(select(AuditEvent)).all() == []


def test_an_admin_reads_the_original_and_the_read_is_audited(live: LiveServer, speech_call: Path) -> None:
    env = live.env
    call_id, _ = _process(env, speech_call, "redacted_and_original")
    admin = live.token("admin")
    resp = http.get(f"{live.url}/api/calls/{call_id}/original/transcript", headers=admin)
    assert resp.status_code == 200 and "4532 0151 1283 0366" in resp.json()[0]["text"]
    resp = http.get(f"{live.url}/api/calls/{call_id}/original/audio", headers=admin)
    assert resp.status_code == 200 and resp.content == speech_call.read_bytes()
    with env.factory() as s:
        kept = s.scalars(select(PiiOriginal.recording_path)).one()
        # in the shared store, relative to its root: every machine finds it wherever the store is mounted
        assert kept is not None and kept.startswith("originals/") and not Path(kept).is_absolute()
        assert (env.settings.recordings_dir / kept).is_file()
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.username, e.call_id) for e in events] == [
            ("original.transcript.read", "admin", call_id),
            ("original.audio.read", "admin", call_id),
        ]


def test_the_default_policy_keeps_no_original(api: ApiEnv, speech_call: Path) -> None:
    call_id, ingested = _process(api, speech_call, "redacted")
    with api.factory() as s:
        assert s.scalar(select(PiiOriginal)) is None
        call = s.get(Call, call_id)
        assert call is not None and call.recording is not None
        assert call.recording.format == "wav"
        assert (api.settings.recordings_dir / call.recording.path).is_file()
        assert all("[CARD]" in seg.text for seg in call.segments)
        assert "4532" not in str(call.qa_result.analysis)  # type: ignore[union-attr]
    assert not ingested.exists()
    assert not api.settings.originals_dir.exists() or not any(api.settings.originals_dir.iterdir())
    resp = api.client.get(f"/api/calls/{call_id}/original/transcript", headers=api.token("admin"))
    assert resp.status_code == 404


def test_the_same_original_uploaded_after_redaction_is_recognised(api: ApiEnv, speech_call: Path) -> None:
    call_id, _ = _process(api, speech_call, "redacted")
    with api.factory() as s:
        recording = s.get(Call, call_id).recording  # type: ignore[union-attr]
        assert recording is not None
        stored = (api.settings.recordings_dir / recording.path).read_bytes()
    assert stored != speech_call.read_bytes()  # the store holds the redacted copy
    resp = api.client.post(
        "/api/calls",
        files={"file": ("again.wav", speech_call.read_bytes(), "audio/wav")},
        data={"agent_id": str(api.agent_id)},
        headers=api.token("admin"),
    )
    assert resp.status_code == 200 and resp.json()["id"] == call_id, resp.text
    with api.factory() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 1
