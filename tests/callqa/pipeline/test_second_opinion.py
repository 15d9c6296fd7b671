"""The second-reading stage: a doubtful check's window decoded again, and the two readings combined; agent
sentences heard unsurely decoded again for remarks the first decoding garbled."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.second_opinion import reconsider_checks
from callqa.services.demo import render_call
from callqa.settings import Settings
from qa.analysis import CallAnalysis
from qa.checks import run_checks
from qa.intents import agent_sentences
from qa.metrics import TalkStats
from qa.remark_reading import SECOND_READING, UNSURE_CONF
from qa.script import load_script
from tests.qa.helpers import Turn, make_transcript
from transcription.recognizer import FloatArray, Speaker, Utterance, Word

RATE = 8000
CLOSING: list[Turn] = [
    ("agent", 30.0, 32.0, "Is there anything else I can help you with?"),
    ("agent", 34.0, 37.0, "Thank you for calling Northwind Energy, goodbye."),
]


class _NameOnly:
    """A second recognizer that hears the agent introduce themselves, unsure of the words around it (to
    test how the stage combines readings, not an engine)."""

    name = "name-only"

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        words = (Word("um", 0.5, 0.9, 0.2), Word("dana", 1.0, 1.4, 0.9), Word("speaking", 1.4, 2.0, 0.9))
        return [Utterance(0.5, 2.0, "um dana speaking", words)]


def test_two_readings_that_each_heard_part_of_the_greeting_clearly_make_a_certain_pass() -> None:
    script = load_script(None, company="Northwind Energy", agent_name="Dana")
    # tiny.en heard the salutation and the company and lost the agent's name
    transcript = make_transcript(
        [("agent", 0.5, 4.0, "Hello Northwind Energy, how can I help?"), *CLOSING], duration_s=40.0
    )
    checks = run_checks(transcript, script)
    assert checks["greeting"].state == "fail" and checks["greeting"].missing == ["self_id"]
    analysis = CallAnalysis(checks, [], [], [], [], TalkStats(10.0, 2.0, 0.0), {}, "")
    legs: dict[Speaker, FloatArray] = {"agent": np.zeros(RATE * 40, dtype=np.float32)}
    again = reconsider_checks(analysis, transcript, legs, RATE, script, _NameOnly())
    greeting = again.checks["greeting"]
    assert (greeting.passed, greeting.state) == (True, "pass"), greeting.reason
    assert "self_id heard clearly by the second decoding" in greeting.reason
    self_id = next(e for e in greeting.elements if e.name == "self_id").evidence
    assert self_id is not None and self_id.text == "dana speaking"
    assert again.checks["closing"] == checks["closing"]  # a certain pass is not read again


REMARK_CALL = [
    ["agent", "Good morning, Northwind Energy, my name is Dana, how can I help you?", 0.5],
    ["caller", "I have been waiting three weeks for my refund and nobody calls me back!", 0.6],
    ["agent", "Calm down please, there is no need to shout.", 0.6],
    ["caller", "I am not shouting, I just want my money.", 0.6],
    ["agent", "I will send the refund today. Is there anything else I can help you with?", 0.6],
    ["caller", "No, that is all.", 0.5],
    ["agent", "Thank you for calling Northwind Energy, goodbye.", 0.5],
]


@pytest.mark.slow
def test_a_remark_the_first_decoding_garbled_is_heard_by_the_second(
    tmp_path: Path, trained: dict[str, str]
) -> None:
    """tiny.en writes espeak-ng's British "Calm down please" as "Come, now please, now", heard unsurely,
    which neither the phrase list nor the sentence model reads as a remark; whisper base, decoding that
    sentence again, hears "calm down". The first reading's own remark in the next sentence ("no need to
    shout", by the sentence model) is no concern here: the garbled sentence is."""
    call = tmp_path / "call.wav"
    render_call(REMARK_CALL, "en-gb", "en-us", call, speed=175)
    common = {"data_dir": tmp_path, "company": "Northwind Energy", "pii_policy": "off", **trained}
    first_only = CallAnalyzer(Settings(**common, second_opinion=True))  # type: ignore[arg-type]
    first = first_only.analyze_file(call, agent_name="Dana")
    [garbled] = [s for s in agent_sentences(first.transcript) if 9.0 < s.start < 11.0]
    assert "calm" not in garbled.text.lower() and garbled.conf < UNSURE_CONF, garbled
    assert not [v for v in first.analysis.violations if v.start < garbled.end and garbled.start < v.end]
    both = CallAnalyzer(Settings(**common, second_opinion=True, second_opinion_remarks=True))  # type: ignore[arg-type]
    again = both.analyze_file(call, agent_name="Dana", transcript=first.transcript)
    [heard] = [v for v in again.analysis.violations if v.source == SECOND_READING]
    assert (heard.category, heard.state) == ("rude", "uncertain")
    assert "calm down" in heard.text.lower()
    assert heard.start < garbled.end and garbled.start < heard.end
    assert heard.note.startswith("heard only by a second decoding (faster-whisper:whisper-base)")
    assert f"the first decoding wrote “{garbled.text}”" in heard.note
    assert [v for v in again.analysis.violations if v.source != SECOND_READING] == first.analysis.violations
