"""Uploading recordings through the API: the real round trip to a stored score, and every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from callqa.services.processing import make_worker
from models import Call, Recording
from tests.api.conftest import ApiEnv
from tests.conftest import write_tone_call


def _upload(api: ApiEnv, name: str, content: bytes, agent_id: int, user: str = "qa") -> object:
    return api.client.post(
        "/api/calls",
        headers=api.token(user),
        files={"file": (name, content, "application/octet-stream")},
        data={"agent_id": str(agent_id), "caller_number": "+1 555 0100"},
    )


def _nothing_stored(api: ApiEnv) -> bool:
    with api.factory() as s:
        calls = s.scalar(select(func.count()).select_from(Call))
    rec_dir = api.settings.recordings_dir
    return calls == 0 and not any(p.is_file() for p in rec_dir.rglob("*"))


@pytest.mark.slow
def test_upload_round_trips_to_a_stored_score(api: ApiEnv, speech_call: Path) -> None:
    resp = _upload(api, "good call.wav", speech_call.read_bytes(), api.agent_id)
    assert resp.status_code == 202, resp.text  # type: ignore[attr-defined]
    call = resp.json()  # type: ignore[attr-defined]
    assert call["status"] == "queued" and call["recording"]["channels"] == 2
    assert call["recording"]["sample_rate"] == 8000

    worker = make_worker(api.settings, api.factory)
    assert worker.run_once()

    qa = api.token("qa")
    status = api.client.get(f"/api/calls/{call['id']}", headers=qa).json()
    assert status["status"] == "done", status
    transcript = api.client.get(f"/api/calls/{call['id']}/transcript", headers=qa).json()
    agent_text = " ".join(s["text"] for s in transcript if s["speaker"] == "agent").lower()
    assert "northwind" in agent_text or "north wind" in agent_text
    assert all(s["words"] for s in transcript)
    verdicts = api.client.get(f"/api/calls/{call['id']}/qa", headers=qa).json()
    assert (
        verdicts["checks"]["greeting"]["passed"] is True and verdicts["checks"]["closing"]["passed"] is True
    )
    score = api.client.get(f"/api/calls/{call['id']}/score", headers=qa).json()
    assert 0 <= score["total"] <= 100 and score["items"]
    mine = api.client.get(f"/api/agents/{api.agent_id}/scores", headers=api.token("tom")).json()
    assert mine["count"] == 1 and mine["scores"][0]["total"] == score["total"]
    audio = api.client.get(f"/api/calls/{call['id']}/audio", headers=api.token("tom"))
    assert audio.status_code == 200 and audio.content == speech_call.read_bytes()


def test_agents_cannot_see_other_agents_calls_or_scores(api: ApiEnv, tmp_path: Path) -> None:
    wav = write_tone_call(tmp_path / "tone.wav")
    call_id = _upload(api, "tone.wav", wav.read_bytes(), api.agent_id).json()["id"]  # type: ignore[attr-defined]
    ann = api.token("ann")
    for path in ("", "/transcript", "/qa", "/score", "/audio"):
        assert api.client.get(f"/api/calls/{call_id}{path}", headers=ann).status_code == 404
    assert api.client.get(f"/api/agents/{api.agent_id}/scores", headers=ann).status_code == 404
    assert api.client.get("/api/calls", headers=ann).json() == []
    assert [c["id"] for c in api.client.get("/api/calls", headers=api.token("tom")).json()] == [call_id]
    assert api.client.get(f"/api/calls/{call_id}", headers=api.token("tom")).status_code == 200
    # agents may not upload or list agents; nobody gets in without a token
    assert _upload(api, "tone.wav", wav.read_bytes(), api.agent_id, user="tom").status_code == 403  # type: ignore[attr-defined]
    assert api.client.get("/api/agents", headers=ann).status_code == 403
    assert api.client.get(f"/api/calls/{call_id}").status_code == 401


def test_bad_login_is_rejected(api: ApiEnv) -> None:
    resp = api.client.post("/api/auth/token", data={"username": "qa", "password": "wrong-password"})
    assert resp.status_code == 401
    assert api.client.get("/api/auth/me", headers={"Authorization": "Bearer forged"}).status_code == 401


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("call.wav", b"", 422, "empty"),
        ("call.wav", b"RIFF\x00\x00\x00\x00WAVEgarbage" * 10, 422, ""),
        ("call.wav", b"\x00\x01\x02 this is not audio at all" * 50, 422, ""),
        ("notes.txt", b"hello", 415, "unsupported file type"),
        ("../../../etc/passwd.wav", b"not audio", 422, ""),
    ],
)
def test_bad_uploads_get_clear_errors_and_store_nothing(
    api: ApiEnv, name: str, content: bytes, status: int, message: str
) -> None:
    resp = _upload(api, name, content, api.agent_id)
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    assert message in resp.json()["detail"]  # type: ignore[attr-defined]
    assert _nothing_stored(api)


def test_silent_and_oversized_uploads_are_rejected(api: ApiEnv, tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((8000 * 5, 2), dtype=np.float32), 8000, subtype="PCM_16")
    resp = _upload(api, "silent.wav", silent.read_bytes(), api.agent_id)
    assert resp.status_code == 422, resp.text  # type: ignore[attr-defined]
    assert resp.json()["detail"] == "silent.wav: the recording is silent on every channel"  # type: ignore[attr-defined]
    huge = write_tone_call(tmp_path / "huge.wav", seconds=140.0, sr=8000)  # ~4.5 MB > 2 MB limit
    resp = _upload(api, "huge.wav", huge.read_bytes(), api.agent_id)
    assert resp.status_code == 413  # type: ignore[attr-defined]
    assert _nothing_stored(api)


def test_hostile_filename_is_never_used_as_a_path(api: ApiEnv, tmp_path: Path) -> None:
    wav = write_tone_call(tmp_path / "tone.wav")
    resp = _upload(api, "../../<script>alert(1)</script>.wav", wav.read_bytes(), api.agent_id)
    assert resp.status_code == 202, resp.text  # type: ignore[attr-defined]
    with api.factory() as s:
        rec = s.scalars(select(Recording)).one()
    stored = api.settings.recordings_dir / rec.path
    assert stored.is_file() and not Path(rec.path).is_absolute() and ".." not in rec.path
    assert "<" not in (rec.original_filename or "") and "/" not in (rec.original_filename or "")


def test_upload_for_unknown_agent_is_404(api: ApiEnv, tmp_path: Path) -> None:
    wav = write_tone_call(tmp_path / "tone.wav")
    resp = _upload(api, "tone.wav", wav.read_bytes(), 9999)
    assert resp.status_code == 404 and "agent" in resp.json()["detail"]  # type: ignore[attr-defined]
    assert _nothing_stored(api)


def test_openapi_docs_are_served(api: ApiEnv) -> None:
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/openapi.json").json()
    assert "/api/calls" in spec["paths"] and "/api/calls/{call_id}/score" in spec["paths"]


def test_upload_takes_the_language_and_refuses_one_without_a_script(api: ApiEnv, tmp_path: Path) -> None:
    def upload(wav: Path, language: str) -> object:
        return api.client.post(
            "/api/calls",
            headers=api.token("qa"),
            files={"file": (wav.name, wav.read_bytes(), "application/octet-stream")},
            data={"agent_id": str(api.agent_id), "language": language},
        )

    resp = upload(write_tone_call(tmp_path / "fr.wav", hz=500), "fr")
    assert resp.status_code == 422, resp.text  # type: ignore[attr-defined]
    assert resp.json()["detail"] == "no call script for language 'fr'; known: en, zh"  # type: ignore[attr-defined]
    assert _nothing_stored(api)
    resp = upload(write_tone_call(tmp_path / "zh.wav", hz=510), "zh")
    assert resp.status_code == 202, resp.text  # type: ignore[attr-defined]
    with api.factory() as s:
        assert s.scalars(select(Call.language)).one() == "zh"
