"""Training sentences as the recogniser hears them: speak each labelled sentence with espeak-ng voices,
pass it through a simulated phone line (8 kHz, mu-law, line noise) and transcribe it.

The sentence classifier (`qa.intents`) then learns the garbled forms of the phrases it must catch ("come
down" for "calm down") from the project's own sentences, instead of anyone writing ASR errors by hand.
Deterministic for the same inputs, voices, seed and engine.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import librosa
import numpy as np
import soundfile as sf
from rapidfuzz import fuzz

from transcription.recognizer import FloatArray, Recognizer

PHONE_SR = 8000
VOICES = ("en-us", "en-gb+m2", "en-us+f4", "en-us+m6", "en-gb+f1", "en-us+f1")
SNR_DB = (18.0, 30.0)
MIN_SIMILARITY = 70.0
"""A reading must keep this much (0–100, rapidfuzz ratio) of the sentence: below it the recogniser invented
or lost too much ("thank you. thank you.", "please you can come in") for the label to still be true."""


class AugmentError(RuntimeError):
    """The speech synthesiser is missing or failed."""


@dataclass(frozen=True)
class Variant:
    label: str
    text: str
    heard: str
    voice: str


def check_voices(voices: Sequence[str]) -> None:
    """Raise AugmentError naming a voice espeak-ng does not have (`language` or `language+variant`):
    espeak-ng itself silently falls back to its default voice."""
    if shutil.which("espeak-ng") is None:
        raise AugmentError("espeak-ng is not installed (make system-deps installs it)")

    def listed(kind: str, column: int) -> set[str]:
        lines = subprocess.run(["espeak-ng", f"--voices{kind}"], capture_output=True, text=True).stdout
        return {line.split()[column].rsplit("/", 1)[-1] for line in lines.splitlines()[1:] if line.split()}

    languages, variants = listed("", 1), listed("=variant", 4)
    for voice in voices:
        language, _, variant = voice.partition("+")
        if language not in languages or (variant and variant not in variants):
            raise AugmentError(
                f"espeak-ng failed for voice {voice!r}: no such voice (see espeak-ng --voices)"
            )


def speak(text: str, voice: str, *, speed: int | None = None) -> FloatArray:
    """`text` spoken by espeak-ng with `voice` (at `speed` words per minute; default espeak's), as float32
    mono at PHONE_SR Hz."""
    if shutil.which("espeak-ng") is None:
        raise AugmentError("espeak-ng is not installed (make system-deps installs it)")
    rate = ["-s", str(speed)] if speed is not None else []
    done = subprocess.run(
        ["espeak-ng", "-v", voice, *rate, "--stdout", text], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise AugmentError(f"espeak-ng failed for voice {voice!r}: {done.stderr.decode(errors='replace')}")
    audio, native = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return librosa.resample(audio, orig_sr=native, target_sr=PHONE_SR).astype(np.float32)


def phone_line(samples: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Mu-law companding and white line noise at an SNR drawn from SNR_DB, with 0.5 s of line on each side."""
    pad = np.zeros(PHONE_SR // 2, dtype=np.float32)
    speech = np.concatenate([pad, 0.7 * samples / max(1e-6, float(np.abs(samples).max())), pad])
    companded = librosa.mu_expand(librosa.mu_compress(speech, mu=255, quantize=True), mu=255, quantize=True)
    power = float(np.mean(samples**2)) * 0.49 / max(1e-12, float(np.abs(samples).max()) ** 2)
    snr = rng.uniform(*SNR_DB)
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr / 10)), companded.shape)
    return np.clip(companded + noise, -1.0, 1.0).astype(np.float32)


def asr_variants(
    rows: Sequence[tuple[str, str]],
    recognizer: Recognizer,
    *,
    voices: Sequence[str] = VOICES,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Variant]:
    """For each (label, text) row and voice, what `recognizer` hears; readings that are verbatim (they add
    nothing) or keep less than MIN_SIMILARITY of the sentence are skipped. `progress` gets 1 per decode.
    Raises AugmentError for an unknown voice before any work."""
    check_voices(voices)
    for label, text in rows:
        for voice in voices:
            # Noise depends on this reading alone: adding rows or voices leaves the other readings unchanged.
            rng = np.random.default_rng([seed, zlib.crc32(f"{voice}\t{text}".encode())])
            audio = phone_line(speak(text, voice), rng)
            heard = " ".join(u.text for u in recognizer.transcribe(audio, PHONE_SR)).strip()
            if progress:
                progress(1)
            plain_heard, plain_text = _plain(heard), _plain(text)
            if plain_heard != plain_text and fuzz.ratio(plain_heard, plain_text) >= MIN_SIMILARITY:
                yield Variant(label, text, heard, voice)


def _plain(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())
