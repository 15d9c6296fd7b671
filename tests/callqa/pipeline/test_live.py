"""A live call's plumbing with a stand-in recogniser: legs cut into utterances by the endpointer, each decoded
exactly once when it ends, the caller's voice measured on the leg's audio (a calm then a raised, louder
voice), and the assistant's updates in between."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pytest

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.augment import speak
from callqa.pipeline.live import SerialRecognizer, open_live_call
from callqa.settings import Settings
from qa.assist import Update
from transcription.model_store import build_recognizer
from transcription.recognizer import FloatArray, Utterance, Word

RATE = 8000


class ScriptedRecognizer:
    """Says the next line of its leg's script for every utterance it is given; counts decodes."""

    name = "scripted"

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self.decoded: list[float] = []  # seconds of audio per decode

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        self.decoded.append(samples.size / sample_rate)
        text = self.lines.pop(0)
        duration = samples.size / sample_rate
        words = text.split()
        step = (duration - 0.6) / len(words)
        timed = tuple(Word(w, 0.5 + i * step, 0.5 + (i + 1) * step) for i, w in enumerate(words))
        return [Utterance(0.5, duration - 0.1, text, timed)]


def _voice(seconds: float, pitch_hz: float, level: float) -> FloatArray:
    """A voiced stretch: a tone with harmonics at `pitch_hz`, peak `level`."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = np.sum([np.sin(2 * np.pi * pitch_hz * k * t) / k for k in (1, 2, 3)], axis=0)
    voiced: FloatArray = (level * wave / np.abs(wave).max()).astype(np.float32)
    return voiced


def _quiet(seconds: float) -> FloatArray:
    return (np.random.default_rng(1).standard_normal(int(seconds * RATE)) * 1e-4).astype(np.float32)


def test_each_utterance_is_decoded_once_and_an_agitated_caller_gets_empathy() -> None:
    # One recogniser serves both legs (as in the server); its lines are in the order utterances end.
    recognizer = ScriptedRecognizer(
        [
            "Hello, this is Tom speaking, how can I help?",
            "I have a question.",
            "About my bill.",
            "It is the third time I call.",
            "I see.",
        ]
    )
    settings = Settings(language="en")
    analyzer = CallAnalyzer(settings, recognizer=recognizer)
    call = open_live_call(analyzer, SerialRecognizer(recognizer), sample_rate=RATE, agent_name="Tom")
    agent_leg = np.concatenate(
        [_quiet(0.5), _voice(2.0, 120, 0.3), _quiet(9.5), _voice(1.0, 120, 0.3), _quiet(2)]
    )
    caller_leg = np.concatenate(
        [
            _quiet(3.0),
            _voice(1.5, 150, 0.1),  # calm: the baseline
            _quiet(1.0),
            _voice(1.5, 150, 0.1),
            _quiet(1.0),
            _voice(2.0, 210, 0.4),  # 5.8 semitones higher, 12 dB louder
            _quiet(5.0),
        ]
    )
    updates: list[Update] = []
    for begin in range(0, agent_leg.size, 160):  # 20 ms frames, as a PBX sends them
        updates += call.feed("agent", agent_leg[begin : begin + 160])
        updates += call.feed("caller", caller_leg[begin : begin + 160])
    updates += call.finish()
    assert len(recognizer.decoded) == 5  # one decode per utterance, no partials
    turns = [u.turn for u in updates if u.turn is not None]
    assert [t.speaker for t in turns] == ["agent", "caller", "caller", "caller", "agent"]
    raised = turns[3]
    assert raised.pitch_change_st is not None and raised.loudness_change_db is not None
    assert 5.0 < raised.pitch_change_st < 6.5 and raised.loudness_change_db > 9.0 and raised.agitated
    [empathy] = [s for u in updates for s in u.suggestions if s.kind == "empathy"]
    assert "agitated" in empathy.reason
    assert turns[1].start < 3.5 and turns[3].end > 8.0  # times are the leg's clock, not the decode's
    assert updates[-1].final is not None and updates[-1].final["greeting"].passed is False


@pytest.mark.slow
def test_vosk_streams_a_live_leg_natively() -> None:
    """Where a Vosk model exists (Korean is the one installable offline), a live leg is decoded by Vosk's
    own streaming decoder, the shared model used without the decode lock."""
    vosk_ko = build_recognizer("vosk", language="ko")
    analyzer = CallAnalyzer(Settings(language="en"), recognizer=vosk_ko)
    shared = SerialRecognizer(vosk_ko)
    call = open_live_call(analyzer, shared, sample_rate=RATE, legs=("agent",))
    speech = speak("안녕하세요 고객센터입니다 무엇을 도와드릴까요", "ko")
    leg = np.concatenate([_quiet(0.5), speech, _quiet(1.5)])
    updates = [u for begin in range(0, leg.size, 160) for u in call.feed("agent", leg[begin : begin + 160])]
    updates += call.finish()
    turns = [u.turn for u in updates if u.turn is not None]
    assert turns and re.search(r"[가-힣]", turns[0].text) and turns[0].start >= 0.3
    assert shared.busy_s == 0.0  # Vosk's stream, not a whole-utterance decode through the lock
