"""Ingesting in bounded memory: `callqa ingest` reads the header and scans blocks, it never decodes a whole
hour of audio to find out that it is too long or silent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.live import seed_database, server_env

# Prints the process's own peak RSS (KiB) when `callqa ...` exits. VmHWM belongs to the process's own memory
# map, which exec replaces; ru_maxrss is kept across exec, so it would report the (large) test process that
# forked the child.
_MEASURED = (
    "import atexit, runpy, sys\n"
    "peak = lambda: next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "atexit.register(lambda: print('MAXRSS_KB', peak(), file=sys.stderr))\n"
    "sys.argv = ['callqa', *sys.argv[1:]]\n"
    "runpy.run_module('callqa', run_name='__main__')\n"
)


@pytest.fixture(scope="module")
def silent_hour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An hour of 48 kHz stereo digital silence: a small FLAC file that decodes to 1.4 GB of float32."""
    path = tmp_path_factory.mktemp("hour") / "silent-hour.flac"
    block = np.zeros((48000 * 60, 2), dtype=np.float32)
    with sf.SoundFile(path, "w", samplerate=48000, channels=2, format="FLAC", subtype="PCM_16") as fh:
        for _minute in range(60):
            fh.write(block)
    return path


def _ingest_peak_mb(tmp_path: Path, recording: Path, **settings: str) -> tuple[int, str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    agent_id = seed_database(f"sqlite:///{data / 'callqa.db'}")
    env = server_env(data, **settings)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "ingest", str(recording), "--agent", str(agent_id)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_kb = int(done.stderr.rsplit("MAXRSS_KB", 1)[1].split()[0])
    return peak_kb // 1024, " ".join(done.stderr.split())  # the console wraps long lines


@pytest.mark.slow
def test_a_too_long_recording_is_refused_before_decoding(tmp_path: Path, silent_hour: Path) -> None:
    peak_mb, stderr = _ingest_peak_mb(tmp_path, silent_hour, max_duration_s="600")
    assert "longer than the 600 s limit" in stderr, stderr
    assert peak_mb < 600, f"peak RSS {peak_mb} MB: the hour was decoded before its length was checked"


@pytest.mark.slow
def test_a_silent_hour_is_refused_in_bounded_memory(tmp_path: Path, silent_hour: Path) -> None:
    peak_mb, stderr = _ingest_peak_mb(tmp_path, silent_hour)
    assert "silent on every channel" in stderr, stderr
    assert peak_mb < 600, f"peak RSS {peak_mb} MB: the whole hour was held in memory"
