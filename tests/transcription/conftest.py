"""Real speech for the engine tests: espeak-ng (Korean, English) and Debian's recorded asterisk prompts."""

from __future__ import annotations

import gzip
import io
import re
import shutil
import subprocess
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en")
ASTERISK_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


def espeak(text: str, voice: str, sr: int = 8000) -> np.ndarray:
    """`text` spoken by espeak-ng as float32 mono at `sr` Hz."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required for the transcription tests (make system-deps installs it)")
    out = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True).stdout
    audio, native = sf.read(io.BytesIO(out), dtype="float32")
    return librosa.resample(audio, orig_sr=native, target_sr=sr).astype(np.float32)


def asterisk_prompts() -> dict[str, str]:
    """Prompt name → reference transcript from asterisk-core-sounds-en."""
    if not ASTERISK_TEXT.is_file():
        pytest.fail("asterisk-core-sounds-en is required (make system-deps installs it)")
    prompts: dict[str, str] = {}
    with gzip.open(ASTERISK_TEXT, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            name, sep, text = line.partition(":")
            if sep and text.strip():
                # Stage directions like "(simple tone sound plays)" are not speech.
                prompts[name.strip()] = re.sub(r"\([^)]*\)", "", text).strip()
    return prompts
