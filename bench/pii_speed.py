"""What personal-data redaction adds to processing, per call-minute.

For each call of a labelled folder (dev-set format: `<id>.wav` + `<id>.json` with reference turns), the
reference turns stand in for the recogniser's transcript (their words spread over each turn's time, as
`segment_words` does for engines without word times), and the steps the worker adds are timed: finding
personal data, redacting the transcript, silencing the audio (read from the file) and writing the
redacted WAV. Decoding is not part of it (it is the same with or without redaction).
Usage (from the repository root):
    python -m bench.pii_speed ../shared/dev-set/calls data/pii-set
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import soundfile as sf

from qa.pii.config import load_pii_config
from qa.pii.detect import find_pii
from qa.pii.redact import redact_transcript, silence_spans
from transcription.audio import load_call_audio
from transcription.recognizer import Segment, Transcript


def reference_transcript(record: dict[str, object], duration_s: float) -> Transcript:
    turns = record["turns"]
    assert isinstance(turns, list)
    segments = tuple(Segment(t["speaker"], float(t["start"]), float(t["end"]), t["text"]) for t in turns)
    return Transcript(segments, duration_s)


def time_folder(folder: Path) -> tuple[int, float, float, int]:
    """(calls, call-minutes, seconds spent redacting, spans found) over `folder`."""
    config = load_pii_config()
    find_pii(Transcript((), 0.0), config)  # the analyzer is built once per process: not a per-call cost
    calls, minutes, spent, found = 0, 0.0, 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for wav in sorted(folder.glob("*.wav")):
            record = json.loads(wav.with_suffix(".json").read_text())
            started = time.perf_counter()
            audio = load_call_audio(wav)
            transcript = reference_transcript(record, audio.duration_s)
            spans = find_pii(transcript, config)
            redact_transcript(transcript, spans)
            if spans:
                redacted = silence_spans(audio, spans, agent_channel=0, pad_s=0.35)
                sf.write(Path(tmp) / wav.name, redacted.channels.T, audio.sample_rate, subtype="PCM_16")
            spent += time.perf_counter() - started
            calls, minutes, found = calls + 1, minutes + audio.duration_s / 60, found + len(spans)
    return calls, minutes, spent, found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="+", type=Path)
    for folder in parser.parse_args().folders:
        calls, minutes, spent, found = time_folder(folder)
        print(
            f"{folder}: {calls} calls, {minutes:.1f} call-minutes, {found} spans redacted; "
            f"redaction adds {spent / minutes:.3f} s per call-minute ({1000 * spent / calls:.0f} ms per call)"
        )


if __name__ == "__main__":
    main()
