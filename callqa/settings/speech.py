"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class SpeechSettings(BaseModel):
    """Speech recognition and the checks run on what it heard: engines, models, the call script and
    the thresholds QA reads."""

    engine: Literal["auto", "vosk", "whisper"] = "auto"
    language: str = "en"
    vosk_model_path: Path | None = None
    whisper_model_path: Path | None = None
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    whisper_vad: bool = Field(
        default=True, description="Skip non-speech before decoding (guards hallucination)."
    )
    whisper_temperature_fallback: bool = Field(
        default=True,
        description="Re-decode by random sampling where whisper's beam text fails its checks; off makes "
        "the same audio always give the same words.",
    )
    vosk_alternatives: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Vosk n-best hypotheses kept per utterance (QA falls back to them).",
    )
    asr_threads: int = Field(default=0, description="CPU threads per decoder; 0 lets the engine decide.")
    second_opinion: bool = Field(
        default=True,
        description="Decode the window of a failed or UNCERTAIN greeting/closing again with a second model.",
    )
    # Off by default: on the tuning sets it found 1 remark in 70 calls for 1 false one (held-out D: none
    # found, 3 false) and it makes the pipeline's real-time factor 0.28 -> 0.41 (bench/asr_speed.py).
    second_opinion_remarks: bool = Field(
        default=False,
        description="With second_opinion: also decode agent sentences heard unsurely again and look for "
        "forbidden remarks the first decoding garbled (one found only there goes to a person).",
    )
    second_opinion_remark_probability: float = Field(
        default=0.75,
        ge=0.0,
        le=1.0,
        description="Intent-model probability from which a remark the sentence model finds only in a "
        "second decoding goes to a person (stated UNCERTAIN, never certain).",
    )
    second_opinion_model_path: Path | None = Field(
        default=None,
        description="faster-whisper model dir for second readings; default: the multilingual whisper base.",
    )
    second_opinion_cache: Path | None = Field(
        default=None,
        description="Folder keeping the second model's decodes (by audio and settings): a call judged "
        "again decodes nothing twice. For measuring (`callqa eval --results … --requalify`); off by default.",
    )
    sentiment_model_path: Path | None = Field(
        default=None, description="Trained sentiment artifact; default data_dir/models/sentiment.joblib."
    )
    intent_model_path: Path | None = Field(
        default=None, description="Trained intent artifact; default data_dir/models/intents.joblib."
    )
    intent_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Intent-model probability that counts as a hit (stated uncertain below the category's "
        "certainty point, which training measures).",
    )
    script_path: Path | None = Field(default=None, description="Call script YAML; default: packaged English.")
    scorecard_path: Path | None = None
    company: str | None = Field(default=None, description="Company name filled into the script.")
    company_by_language: dict[str, str] = Field(
        default_factory=dict,
        description='The company\'s name in other languages, JSON (e.g. {"zh": "北风电信"}): a call in one '
        "of them is judged with that name.",
    )
    agent_channel: int = Field(default=0, ge=0, le=1, description="Stereo channel carrying the agent leg.")
    dead_air_min_s: float = 10.0
    decode_max_rate_hz: int = Field(
        default=16000,
        ge=8000,
        description="The worker reads a recording recorded above this rate (Hz) resampled down to it, block "
        "by block: the speech models use 16 kHz, and 4 h of 48 kHz stereo would otherwise be held as 5.5 GB.",
    )
    max_duration_s: float = 4 * 3600.0
