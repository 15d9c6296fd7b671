"""The CLI's progress bar where stderr is a log file: plain lines instead of silence until the end."""

from __future__ import annotations

import io

from rich.console import Console

from callqa.cli.console import LoggedProgress


def _bar(out: io.StringIO, every_s: float) -> LoggedProgress:
    return LoggedProgress(console=Console(file=out, force_terminal=False, width=100), every_s=every_s)


def test_a_log_file_gets_a_line_per_interval_and_one_at_the_end() -> None:
    out = io.StringIO()
    with _bar(out, every_s=3600) as bar:
        task = bar.add_task("decoding", total=3, status="")
        for name in ("a.wav", "b.wav", "c.wav"):
            bar.update(task, status=name)
            bar.advance(task)
    lines = out.getvalue().splitlines()
    # the first update logs at once; the hour-long interval holds the rest back until the task ends
    assert lines[0] == "decoding 0/3 a.wav"
    assert "decoding 3/3 c.wav" in lines
    assert not any(line.startswith("decoding 1/3") or line.startswith("decoding 2/3") for line in lines)


def test_every_step_is_logged_when_the_interval_is_zero() -> None:
    out = io.StringIO()
    with _bar(out, every_s=0) as bar:
        task = bar.add_task("reading aloud", total=2, status="tiny.en")
        bar.advance(task)
        bar.advance(task)
    assert [line for line in out.getvalue().splitlines() if line.startswith("reading aloud ")][:2] == [
        "reading aloud 1/2 tiny.en",
        "reading aloud 2/2 tiny.en",
    ]
