"""Acoustic signals from the audio itself (librosa): where each leg has speech energy, and how agitated
the caller sounds (pitch and loudness rising over the call).

Word times miss speech the recogniser could not decode (a mumble, a name, a language it does not know);
energy does not. Dead air and talk-over are therefore computed on word times merged with energy spans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

from qa.metrics import Activity
from transcription.recognizer import Speaker

FloatArray = npt.NDArray[np.float32]
Span = tuple[float, float]

FRAME_S = 0.032
HOP_S = 0.016


def _frame_db(samples: FloatArray, sample_rate: int) -> npt.NDArray[np.float64]:
    """Level (dBFS) of each FRAME_S frame, one every HOP_S, at any sample rate."""
    frame = max(16, int(FRAME_S * sample_rate))
    hop = max(8, int(HOP_S * sample_rate))
    rms = librosa.feature.rms(y=samples.astype(np.float32), frame_length=frame, hop_length=hop, center=True)
    return np.asarray(20 * np.log10(np.maximum(rms[0], 1e-10)), dtype=np.float64)


def energy_speech_spans(
    samples: FloatArray,
    sample_rate: int,
    *,
    margin_db: float = 12.0,
    floor_dbfs: float = -50.0,
    min_speech_s: float = 0.15,
    bridge_s: float = 0.3,
) -> list[Span]:
    """Spans (s) where the signal is `margin_db` above its own noise floor (10th percentile of frame
    energy) and above `floor_dbfs`; gaps shorter than `bridge_s` are bridged, blips under `min_speech_s`
    dropped. Works at any sample rate."""
    if samples.size == 0:
        return []
    hop = max(8, int(HOP_S * sample_rate))
    db = _frame_db(samples, sample_rate)
    threshold = max(float(np.percentile(db, 10)) + margin_db, floor_dbfs)
    active = db > threshold
    spans: list[Span] = []
    start: float | None = None
    for i, on in enumerate(active):
        t = i * hop / sample_rate
        if on and start is None:
            start = t
        elif not on and start is not None:
            spans.append((start, t))
            start = None
    if start is not None:
        spans.append((start, len(samples) / sample_rate))
    bridged: list[Span] = []
    for s, e in spans:
        if bridged and s - bridged[-1][1] < bridge_s:
            bridged[-1] = (bridged[-1][0], e)
        else:
            bridged.append((s, e))
    return [(s, e) for s, e in bridged if e - s >= min_speech_s]


NOISY_SPREAD_MIN_DB = 4.0
"""Below this level spread a leg holds steady noise (or nothing) but no speech to judge a line by."""


def line_snr_db(samples: FloatArray | None, sample_rate: int) -> float | None:
    """How far a leg's speech stands above its line noise (dB): the 95th minus the 10th percentile of its
    frame levels (32 ms frames). None without a leg, for a leg that is never above -50 dBFS (nothing on
    it) or whose spread is under NOISY_SPREAD_MIN_DB (steady noise, no speech on it).

    The figure is a level spread, not the SNR of mean powers: espeak-ng speech with white noise at a true
    SNR of 30 / 10 / 3 / 0 dB measures 32.7 / 18.7 / 12.1 / 9.5 here, and the dev set's phone lines (SNR
    18–30 dB) measure 17.3 and above (caller legs)."""
    if samples is None or samples.size < sample_rate // 2:
        return None
    db = _frame_db(samples, sample_rate)
    loud, floor = float(np.percentile(db, 95)), float(np.percentile(db, 10))
    if loud < -50.0 or loud - floor < NOISY_SPREAD_MIN_DB:
        return None
    return loud - floor


AGITATED_PITCH_ST = 2.0
"""Rise in median pitch (semitones) that, with AGITATED_LOUDNESS_DB, marks a caller as agitated."""
AGITATED_LOUDNESS_DB = 3.0
"""Rise in loudness (dB) that, with AGITATED_PITCH_ST, marks a caller as agitated."""


def is_agitated(pitch_change_st: float | None, loudness_change_db: float | None) -> bool:
    """Both pitch and loudness rose markedly (relative to the caller's own earlier speech)."""
    return (
        pitch_change_st is not None
        and loudness_change_db is not None
        and pitch_change_st >= AGITATED_PITCH_ST
        and loudness_change_db >= AGITATED_LOUDNESS_DB
    )


@dataclass(frozen=True)
class Agitation:
    """Caller's voice at the end of the call relative to the start: pitch (semitones) and loudness (dB)
    changes, and a flag when both rise markedly (an additional, optional cue beside text sentiment)."""

    pitch_change_st: float | None
    loudness_change_db: float | None
    agitated: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "pitch_change_st": None if self.pitch_change_st is None else round(self.pitch_change_st, 2),
            "loudness_change_db": None
            if self.loudness_change_db is None
            else round(self.loudness_change_db, 2),
            "agitated": self.agitated,
        }


def caller_agitation(samples: FloatArray, sample_rate: int, spans: list[Span]) -> Agitation:
    """Compare the first and last third of the caller's speech (spans in s) in median pitch and energy."""
    if len(spans) < 2:
        return Agitation(None, None, False)
    third = max(1, len(spans) // 3)
    first, last = spans[:third], spans[-third:]
    f_pitch, f_db = _voice(samples, sample_rate, first)
    l_pitch, l_db = _voice(samples, sample_rate, last)
    pitch = 12 * np.log2(l_pitch / f_pitch) if f_pitch and l_pitch else None
    loud = l_db - f_db if f_db is not None and l_db is not None else None
    agitated = is_agitated(None if pitch is None else float(pitch), loud)
    return Agitation(None if pitch is None else float(pitch), loud, agitated)


def _voice(samples: FloatArray, sample_rate: int, spans: list[Span]) -> tuple[float | None, float | None]:
    pieces = [samples[int(s * sample_rate) : int(e * sample_rate)] for s, e in spans]
    audio = np.concatenate([p for p in pieces if p.size]) if pieces else np.zeros(0, np.float32)
    return voice_of(audio, sample_rate)


def voice_of(audio: FloatArray, sample_rate: int) -> tuple[float | None, float | None]:
    """(median pitch in Hz, loudness in dBFS) of a stretch of speech; (None, None) under a quarter
    second."""
    if audio.size < sample_rate // 4:
        return None, None
    f0 = librosa.yin(audio.astype(np.float32), fmin=70, fmax=400, sr=sample_rate)
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return float(np.median(f0)), 20 * float(np.log10(max(rms, 1e-10)))


def audio_cues(legs: Mapping[Speaker, FloatArray], sample_rate: int) -> tuple[Activity, Agitation | None]:
    """QA's acoustic evidence from a call's legs (samples at `sample_rate` Hz): speech-energy spans per
    leg (for dead air and talk-over) and the caller's agitation (None without a caller leg)."""
    activity: Activity = {
        speaker: energy_speech_spans(samples, sample_rate) for speaker, samples in legs.items()
    }
    caller = legs.get("caller")
    agitation = caller_agitation(caller, sample_rate, activity["caller"]) if caller is not None else None
    return activity, agitation
