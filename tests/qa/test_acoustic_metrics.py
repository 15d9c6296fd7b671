"""Conversation metrics on synthetic stereo audio with known speech, gaps and overlaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from qa.acoustic import caller_agitation, energy_speech_spans
from qa.metrics import Activity, find_dead_air, find_holds, talk_stats
from tests.qa.helpers import DEAD_AIR_MIN_S, make_transcript

SR = 8000


def leg(spans: Sequence[tuple[float, float, float, float]], seconds: float, seed: int) -> np.ndarray:
    """Line noise at -60 dBFS plus voiced bursts (start, end, pitch Hz, amplitude)."""
    rng = np.random.default_rng(seed)
    audio = (rng.standard_normal(int(seconds * SR)) * 0.001).astype(np.float32)
    for start, end, pitch, amp in spans:
        t = np.arange(int((end - start) * SR)) / SR
        voice = amp * (np.sin(2 * np.pi * pitch * t) + 0.5 * np.sin(2 * np.pi * 2 * pitch * t))
        audio[int(start * SR) : int(start * SR) + t.size] += voice.astype(np.float32)
    return audio


AGENT = [(0.5, 3.0, 180, 0.2), (17.0, 19.0, 180, 0.2)]
CALLER = [(2.5, 5.0, 220, 0.2)]


def test_energy_spans_find_speech_at_the_right_times_at_any_rate() -> None:
    spans = energy_speech_spans(leg(AGENT, 20.0, 1), SR)
    assert len(spans) == 2
    for (start, end), (want_s, want_e, _, _) in zip(spans, AGENT, strict=True):
        assert start == pytest.approx(want_s, abs=0.05) and end == pytest.approx(want_e, abs=0.05)
    assert energy_speech_spans(np.zeros(0, np.float32), SR) == []
    assert energy_speech_spans(leg([], 5.0, 2), SR) == []  # line noise alone is not speech


def test_dead_air_talk_over_and_interruptions_from_audio_and_words() -> None:
    activity: Activity = {
        "agent": energy_speech_spans(leg(AGENT, 20.0, 1), SR),
        "caller": energy_speech_spans(leg(CALLER, 20.0, 2), SR),
    }
    # The recogniser heard the agent only; the caller's words were lost (e.g. an unknown language).
    transcript = make_transcript(
        [("agent", 0.5, 3.0, "good morning how can i help"), ("agent", 17.0, 19.0, "thanks for waiting")],
        duration_s=20.0,
    )
    words_only = find_dead_air(transcript, min_gap_s=DEAD_AIR_MIN_S)
    assert [(round(g.start), round(g.end)) for g in words_only] == [(3, 17)]
    [gap] = find_dead_air(transcript, activity=activity, min_gap_s=DEAD_AIR_MIN_S)
    assert gap.start == pytest.approx(5.0, abs=0.05) and gap.end == pytest.approx(17.0, abs=0.05)
    assert find_dead_air(transcript, min_gap_s=13.0, activity=activity) == []

    # Whisper stretched a word over the silence: the audio still shows nobody spoke.
    stretched = make_transcript(
        [("agent", 0.5, 3.0, "good morning how can i help"), ("agent", 3.0, 17.5, "thanks for waiting")],
        duration_s=20.0,
    )
    assert find_dead_air(stretched, min_gap_s=DEAD_AIR_MIN_S) == []
    assert [
        (round(g.start), round(g.end))
        for g in find_dead_air(stretched, activity=activity, min_gap_s=DEAD_AIR_MIN_S)
    ] == [(5, 17)]

    stats = talk_stats(transcript, activity)
    assert stats.overlap_s == pytest.approx(0.5, abs=0.05)
    assert (stats.caller_interruptions, stats.agent_interruptions) == (1, 0)
    assert stats.agent_talk_s == pytest.approx(4.5, abs=0.1) and stats.caller_talk_s == pytest.approx(
        2.5, abs=0.1
    )
    assert stats.agent_wpm == pytest.approx(60 * 9 / stats.agent_talk_s, rel=0.01)


def test_a_short_back_channel_is_not_an_interruption() -> None:
    transcript = make_transcript(
        [("agent", 0.0, 4.0, "let me explain the charges"), ("caller", 2.0, 2.3, "mm")]
    )
    stats = talk_stats(transcript)
    assert stats.caller_interruptions == 0 and stats.overlap_s == pytest.approx(0.3)


def test_an_announced_hold_is_a_hold_not_just_silence() -> None:
    transcript = make_transcript(
        [
            ("agent", 0.0, 2.0, "Could you please hold while I check?"),
            ("agent", 40.0, 42.0, "Thanks for holding."),
            ("agent", 43.0, 44.0, "Your balance is ten pounds."),
            ("agent", 70.0, 71.0, "Anything else?"),
        ]
    )
    [hold] = find_holds(transcript)
    assert (hold.start, hold.end) == (2.0, 40.0)
    assert (
        len(find_dead_air(transcript, min_gap_s=DEAD_AIR_MIN_S)) == 2
    )  # dead air still reports both silences


def test_caller_agitation_rises_with_pitch_and_loudness() -> None:
    calm_then_angry = [
        (1, 3, 150, 0.05),
        (5, 7, 155, 0.05),
        (9, 11, 160, 0.06),
        (13, 15, 230, 0.2),
        (17, 19, 240, 0.2),
        (21, 23, 250, 0.25),
    ]
    audio = leg(calm_then_angry, 24.0, 3)
    agitation = caller_agitation(audio, SR, energy_speech_spans(audio, SR))
    assert agitation.agitated and agitation.pitch_change_st is not None and agitation.pitch_change_st > 4
    steady = leg([(1, 3, 150, 0.1), (5, 7, 150, 0.1), (9, 11, 150, 0.1)], 12.0, 4)
    assert not caller_agitation(steady, SR, energy_speech_spans(steady, SR)).agitated
