"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LiveSettings(BaseModel):
    """Live agent assist: audio streamed from a PBX or a device while the call runs."""

    live_max_streams: int = Field(
        default=4,
        ge=1,
        description="Live assist: audio legs (two per call) streamed at once; more are refused (HTTP 429).",
    )
    live_max_frame_bytes: int = Field(
        default=6400,
        ge=320,
        description="Live assist: largest audio message (bytes of 8 kHz 16-bit PCM; 6400 = 0.4 s).",
    )
    live_window_s: float = Field(
        default=10.0,
        ge=1,
        le=30,
        description="Live assist: seconds of audio whisper's encoder reads per utterance (30 = whisper's own "
        "window; shorter is faster and a little less accurate: transcription.whisper_engine).",
    )
    live_audiosocket_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Live assist: TCP port for Asterisk AudioSocket streams (api/audiosocket.py; 0: any free "
        "port); unset: not listened on.",
    )
    live_audiosocket_host: str = Field(
        default="127.0.0.1", description="Live assist: address the AudioSocket listener binds to."
    )
    live_burst_s: float = Field(
        default=2.0,
        ge=0,
        description="Live assist: audio (s) a leg may run ahead of the wall clock before it is cut off.",
    )
