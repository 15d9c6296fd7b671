"""Transcription errors. No HTTP codes here: `api/errors.py` maps them."""

from __future__ import annotations


class AudioError(ValueError):
    """A recording cannot be used; the message says why and what to do."""


class UnreadableAudioError(AudioError):
    """The file is not audio we can decode (corrupt, truncated, unknown format)."""


class EmptyAudioError(AudioError):
    """The file decodes to no (or almost no) samples."""


class SilentAudioError(AudioError):
    """The file holds no signal on any channel."""


class UnsupportedAudioError(AudioError):
    """Decodable, but not a shape we handle (e.g. more than two channels)."""


class TooLongAudioError(AudioError):
    """The recording is longer than the configured maximum."""


class ModelNotFoundError(RuntimeError):
    """No speech model is available for the requested engine/language; the message names the fix."""


class TranscriptFormatError(ValueError):
    """A transcript file given instead of audio cannot be read; the message names the file and the fault."""
