"""Training sentences read aloud over a simulated phone line and transcribed (`callqa train asr-readings`)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from callqa.pipeline.augment import PHONE_SR, asr_variants, phone_line, speak
from tests.conftest import run_callqa
from transcription.recognizer import FloatArray, Utterance


class _Hears:
    """A recogniser that hears fixed texts in turn (the real engine is used in the CLI test below)."""

    name = "fixed"

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = list(texts)

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        assert sample_rate == PHONE_SR and samples.size > sample_rate  # speech plus line either side
        return [Utterance(0.5, 1.0, self._texts.pop(0))]


def test_phone_line_keeps_length_and_range_and_is_noisy() -> None:
    speech = speak("thank you for calling", "en-us")
    line = phone_line(speech, np.random.default_rng(0))
    assert line.dtype == np.float32 and len(line) == len(speech) + PHONE_SR
    assert np.abs(line).max() <= 1.0
    assert np.abs(line[: PHONE_SR // 4]).max() > 0  # line noise before the speech starts
    assert not np.array_equal(line, phone_line(speech, np.random.default_rng(1)))


def test_only_close_misreadings_are_kept() -> None:
    heard = ["Calm down.", "Come down.", "Thank you. Thank you very much."]
    variants = list(
        asr_variants([("rude", "calm down")], _Hears(heard), voices=["en-us", "en-gb+m2", "en-us+f4"])
    )
    # verbatim adds nothing; the hallucination shares nothing with the sentence and would teach nonsense
    assert [(v.label, v.heard, v.voice) for v in variants] == [("rude", "Come down.", "en-gb+m2")]


def _asr_readings(data: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_callqa("train", "asr-readings", "--data", str(data), "--out", str(out), *args)


@pytest.mark.slow
def test_asr_readings_command_writes_labelled_readings(tmp_path: Path) -> None:
    data = tmp_path / "sentences.tsv"
    data.write_text("label\ttext\nrude\tjust calm down and listen\nnone\tlet me check that for you\n")
    output = tmp_path / "readings.tsv"
    done = _asr_readings(data, output, "--voices", "en-us,en-us+f4", "--no-phrase-lists")
    assert done.returncode == 0, done.stderr
    lines = output.read_text().splitlines()
    assert lines[0] == "label\ttext"
    assert all(line.split("\t")[0] in {"rude", "none"} and line.split("\t")[1] for line in lines[1:])
    assert f"{len(lines) - 1} readings of 2 sentences × 2 voices" in done.stdout


def test_asr_readings_command_fails_clearly_on_a_bad_voice(tmp_path: Path) -> None:
    data = tmp_path / "sentences.tsv"
    data.write_text("label\ttext\nrude\tcalm down\n")
    done = _asr_readings(data, tmp_path / "out.tsv", "--voices", "no-such-voice")
    assert done.returncode == 1
    assert "espeak-ng failed for voice 'no-such-voice'" in done.stderr
    assert not (tmp_path / "out.tsv").exists()


class _Keeps(_Hears):
    """Hears "x" and keeps the audio it was given."""

    def __init__(self) -> None:
        super().__init__(["x"] * 10)
        self.audio: list[FloatArray] = []

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        self.audio.append(samples)
        return super().transcribe(samples, sample_rate)


def test_a_reading_does_not_depend_on_the_rows_before_it() -> None:
    alone, after = _Keeps(), _Keeps()
    list(asr_variants([("rude", "calm down")], alone, voices=["en-us"]))
    list(asr_variants([("none", "hello there"), ("rude", "calm down")], after, voices=["en-us"]))
    assert np.array_equal(alone.audio[0], after.audio[1])
