"""The second-reading stage: a doubtful check's window decoded again, and the two readings combined."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from callqa.pipeline.second_opinion import reconsider_checks
from qa.analysis import CallAnalysis
from qa.checks import run_checks
from qa.metrics import TalkStats
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
