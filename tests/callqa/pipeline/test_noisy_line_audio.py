"""The noisy line on real audio: an espeak-ng call whose caller leg is buried in line noise is measured as
noisy (`line_snr_db`), the agent's "the line is bad, could you speak up" is heard by the recogniser, and the
noisy-line procedure passes; the same call on a clean line, and every dev-set call (phone lines at 18–30 dB
SNR), raises no noisy-line check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.demo import render_call
from callqa.settings import Settings
from qa.acoustic import line_snr_db
from tests.conftest import DEV_SET

TURNS = [
    ["agent", "Thank you for calling Northwind, this is Alice, how can I help you?", 0.5],
    ["caller", "Hello, my internet has been down since this morning and I need it fixed today.", 0.6],
    ["agent", "I'm sorry, the line is very bad, could you speak up please?", 0.6],
    ["caller", "I said my internet has been down since this morning.", 0.6],
    ["agent", "Thank you, I can hear you now, let me check your line.", 0.6],
    ["agent", "Is there anything else I can help you with? Thank you for calling, goodbye.", 0.6],
]


def _with_noise(clean: Path, out: Path, snr_db: float) -> Path:
    """`clean` with white noise on the caller leg at `snr_db` below the leg's mean speech power."""
    audio, sr = sf.read(clean, always_2d=True)
    caller = audio[:, 1]
    speech = caller[np.abs(caller) > 1e-4]
    noise = np.random.default_rng(7).normal(0, np.sqrt(np.mean(speech**2) / 10 ** (snr_db / 10)), caller.size)
    audio[:, 1] = np.clip(caller + noise, -1, 1)
    sf.write(out, audio, sr, subtype="PCM_16")
    return out


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("noisy")
    clean = folder / "clean.wav"
    render_call(TURNS, "en-us", "en-gb", clean)
    return clean, _with_noise(clean, folder / "noisy.wav", snr_db=0.0)


def test_a_noisy_caller_leg_measures_under_the_scripts_threshold(calls: tuple[Path, Path]) -> None:
    clean, noisy = calls
    (clean_audio, sr), (noisy_audio, _) = sf.read(clean, always_2d=True), sf.read(noisy, always_2d=True)
    clean_snr = line_snr_db(clean_audio[:, 1].astype(np.float32), sr)
    noisy_snr = line_snr_db(noisy_audio[:, 1].astype(np.float32), sr)
    assert clean_snr is not None and clean_snr > 25  # the demo line (render_call) is a clear one
    assert noisy_snr is not None and noisy_snr < 12, noisy_snr
    only_noise = np.random.default_rng(1).normal(0, 0.05, sr * 5).astype(np.float32)
    assert line_snr_db(only_noise, sr) is None  # steady noise, nobody speaking: no line to judge


def test_the_noisy_line_procedure_on_real_audio(calls: tuple[Path, Path], tmp_path: Path) -> None:
    clean, noisy = calls
    analyzer = CallAnalyzer(Settings(data_dir=tmp_path, company="Northwind", second_opinion=False))
    on_noise = analyzer.analyze_file(noisy, agent_name="Alice").analysis.checks
    assert "noisy_line" in on_noise, "the noisy caller leg raised no noisy-line check"
    assert on_noise["noisy_line"].state == "pass", on_noise["noisy_line"].reason
    assert "noisy_line" not in analyzer.analyze_file(clean, agent_name="Alice").analysis.checks


@pytest.mark.dev_set
def test_no_dev_set_call_is_on_a_noisy_line() -> None:
    spreads = []
    for wav in sorted((DEV_SET / "calls").glob("*.wav")):
        audio, sr = sf.read(wav, always_2d=True)
        spreads.append(line_snr_db(audio[:, 1].astype(np.float32), sr))
    assert spreads and all(s is not None and s >= 12 for s in spreads), min(s or 0 for s in spreads)
