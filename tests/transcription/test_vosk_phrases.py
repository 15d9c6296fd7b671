"""Vosk's grammar pass for script phrases, on real Korean speech (espeak-ng) and the real Korean model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from tests.transcription.conftest import espeak
from transcription.audio import CallAudio, pcm16
from transcription.model_store import find_vosk_model
from transcription.pipeline import transcribe_call
from transcription.recognizer import FloatArray, Utterance
from transcription.vosk_engine import VoskRecognizer, spot_phrases

pytestmark = pytest.mark.slow
SR = 16000
SCRIPT_PHRASES = ["행복한 하루 되세요", "고객센터", "감사합니다", "안녕히 계세요"]


@pytest.fixture(scope="module")
def vosk_ko() -> VoskRecognizer:
    return VoskRecognizer(find_vosk_model(None, "ko"))


@pytest.mark.parametrize(
    "sentence", ["잠시만 기다려 주세요", "요금이 너무 많이 나왔어요", "배송이 아직 안 왔어요"]
)
def test_grammar_pass_does_not_force_absent_phrases(vosk_ko: VoskRecognizer, sentence: str) -> None:
    speech = espeak(sentence, "ko+f2", SR)
    [heard] = vosk_ko.transcribe(speech, SR)
    said, found = spot_phrases(vosk_ko.model, pcm16(speech), SR, SCRIPT_PHRASES, heard.text.split())
    assert found == [], f"{sentence!r} heard as {heard.text!r} was forced into {said!r}"
    assert said  # the heard words stand in for everything that is not a phrase


def test_grammar_pass_reports_a_phrase_the_audio_supports(vosk_ko: VoskRecognizer) -> None:
    speech = espeak("감사합니다 행복한 하루 되세요", "ko+f2", SR)
    [heard] = vosk_ko.transcribe(speech, SR)
    words = heard.text.split()
    assert len(words) >= 3
    # Two neighbouring words the free decode heard are, as one phrase, the grammar's best explanation.
    phrase = " ".join(words[1:3])
    said, found = spot_phrases(vosk_ko.model, pcm16(speech), SR, [phrase, *SCRIPT_PHRASES], words)
    assert found == [phrase] and phrase in said


def test_absent_and_unspellable_phrases_add_no_hypothesis(vosk_ko: VoskRecognizer) -> None:
    speech = espeak("잠시만 기다려 주세요", "ko+f2", SR)
    # English words and an unknown brand are outside the Korean vocabulary; the rest are not said.
    utterances = vosk_ko.transcribe(speech, SR, hints=["한빛카드"], phrases=["thank you", *SCRIPT_PHRASES])
    assert utterances and all(u.alternatives == () for u in utterances)


class _Recording:
    """A recogniser that records what each leg was asked to listen for."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[FloatArray, tuple[str, ...], tuple[str, ...]]] = []

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        self.calls.append((samples, tuple(hints), tuple(phrases)))
        return [Utterance(0.5, 1.0, "x")]


@pytest.mark.parametrize("agent_channel", [0, 1])
def test_script_phrases_go_to_the_agent_leg_only(agent_channel: int) -> None:
    rng = np.random.default_rng(0)
    channels = rng.normal(0, 0.1, (2, 8000)).astype(np.float32)
    audio = CallAudio(channels=channels, sample_rate=8000, source_format="test")
    recording = _Recording()
    transcribe_call(audio, recording, agent_channel=agent_channel, hints=["Acme"], phrases=["goodbye"])
    [(to_agent, hints, phrases)] = [c for c in recording.calls if c[1] or c[2]]
    assert (hints, phrases) == (("Acme",), ("goodbye",))
    assert np.array_equal(to_agent, channels[agent_channel])  # the agent's leg, not the caller's
    [(to_caller, *_)] = [c for c in recording.calls if not (c[1] or c[2])]
    assert np.array_equal(to_caller, channels[1 - agent_channel])
