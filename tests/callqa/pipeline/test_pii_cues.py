"""What redaction must not change: a caller's answer silenced for personal data is still speech (not dead
air), and a sentence redacted whole with the number in it still tells how the caller feels. The audio is
real (noise where someone speaks); what the recogniser heard is given as the call's transcript."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.settings import Settings
from transcription.recognizer import Segment, Transcript, Word

RATE = 8000


def _segment(speaker: str, start: float, words: str, step: float = 0.45) -> Segment:
    said = tuple(Word(w, start + i * step, start + i * step + 0.4, 0.95) for i, w in enumerate(words.split()))
    return Segment(speaker, said[0].start, said[-1].end, words, said)  # type: ignore[arg-type]


def _call(tmp_path: Path, speech: dict[str, list[tuple[float, float]]], duration_s: float) -> Path:
    """A stereo recording (agent on channel 0) with noise at -20 dBFS where each leg speaks."""
    rng = np.random.default_rng(7)
    legs = np.zeros((2, int(duration_s * RATE)), dtype=np.float32)
    for channel, speaker in enumerate(("agent", "caller")):
        for start, end in speech[speaker]:
            n = int((end - start) * RATE)
            legs[channel, int(start * RATE) : int(start * RATE) + n] = 0.1 * rng.standard_normal(n)
    path = tmp_path / "call.wav"
    sf.write(path, legs.T, RATE)
    return path


def _analyzer(tmp_path: Path) -> CallAnalyzer:
    return CallAnalyzer(Settings(data_dir=tmp_path, company="Acme Bank", second_opinion=False))


def test_a_silenced_answer_is_not_dead_air(tmp_path: Path) -> None:
    """The caller reads out an account number for 13 s and the recogniser kept two words of it; redaction
    silences the rest of the answer in the stored audio, but the call had no 10 s silence."""
    transcript = Transcript(
        segments=(
            _segment("agent", 0.5, "can I have your account number please"),
            _segment("caller", 4.0, "four five"),
            _segment("agent", 18.0, "thank you for calling Acme Bank goodbye"),
        ),
        duration_s=22.0,
    )
    path = _call(tmp_path, {"agent": [(0.5, 3.6), (18.0, 21.2)], "caller": [(4.0, 17.0)]}, 22.0)
    result = _analyzer(tmp_path).analyze_file(path, transcript=transcript)
    assert {s.token for s in result.pii} == {"ACCOUNT"}
    assert "four" not in " ".join(s.text for s in result.transcript.segments)
    assert result.analysis.dead_air == []


def test_a_sentence_redacted_with_the_number_still_carries_the_callers_mood(tmp_path: Path) -> None:
    transcript = Transcript(
        segments=(
            _segment("agent", 0.5, "can I have your account number please"),
            _segment("caller", 4.0, "four five six seven this is useless I am going to cancel"),
        ),
        duration_s=12.0,
    )
    path = _call(tmp_path, {"agent": [(0.5, 3.6)], "caller": [(4.0, 9.4)]}, 12.0)
    result = _analyzer(tmp_path).analyze_file(path, transcript=transcript)
    caller = result.analysis.sentiment["caller"]
    assert [u.text for u in caller.utterances] == ["[ACCOUNT]"]  # the record keeps no word of it
    assert caller.end == "neg"
