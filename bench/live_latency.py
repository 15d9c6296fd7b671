"""Live assist latency: N generated calls played at real time through `callqa.pipeline.live` at once, both
legs each, sharing one recogniser (as the server does).

Prints, over every turn shown: the latency from the end of the utterance's speech (its last word's end, on
the call's clock) to the update leaving the assistant (wall clock), p50 / p95 / max; the real-time factor
(decoding wall seconds / seconds of audio, both legs) and the CPU one (the process's CPU seconds, all its
work, per second of audio: what the machine's other load does not inflate); the load average; and how many
calls were kept up with (each call's last update out within LAG_OK_S of its audio's end).

    python bench/live_latency.py --calls 1
    python bench/live_latency.py --calls 2 --engine whisper
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

import numpy as np

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.augment import PHONE_SR, phone_line
from callqa.pipeline.live import LEGS, SerialRecognizer, live_recognizer, open_live_call
from callqa.services.demo import lay_out
from callqa.settings import get_settings
from qa.assist import Update
from transcription.recognizer import FloatArray, Speaker

FRAME_S = 0.02
"""Frames arrive as a PBX sends them: 20 ms of audio each."""
LAG_OK_S = 1.5
"""A call is kept up with when its last update is out within this many seconds of its audio's end."""

# A short support call exercising every kind of suggestion: greeting (the name is never given), empathy,
# a forbidden remark, the closing after the caller's goodbye. "Let me take a look" must tick nothing.
TURNS: list[tuple[str, str, float]] = [
    ("agent", "Thank you for calling Bluebird Bank. How can I help you today?", 0.5),
    ("caller", "This is terrible. You charged my card twice and I am really angry about it.", 0.6),
    ("agent", "Let me take a look.", 0.7),
    ("agent", "I see the two payments.", 2.0),
    ("agent", "Sorry, that is not my department.", 1.0),
    ("caller", "Okay, thanks. Bye.", 0.8),
    ("agent", "Is there anything else I can help you with? Thank you for calling, have a great day.", 0.6),
]
COMPANY = "Bluebird Bank"
AGENT_NAME = "Tom"


def render_call(seed: int = 0) -> tuple[dict[Speaker, FloatArray], list[dict[str, object]]]:
    """The call's legs (agent, caller) at 8 kHz through a simulated phone line, and its reference turns."""
    legs, reference = lay_out(TURNS, "en-us+m3", "en-gb+f3", speed=160)
    rng = np.random.default_rng(seed)
    pad = PHONE_SR // 2
    agent, caller = (phone_line(leg, rng)[pad:-pad] for leg in legs)
    return {"agent": agent, "caller": caller}, reference


def play(
    analyzer: CallAnalyzer, recognizer: SerialRecognizer, legs: dict[Speaker, FloatArray]
) -> tuple[list[float], float]:
    """Play `legs` at real time through a live call; (latency of each turn shown in s, lag of the call's
    last update behind its audio's end in s)."""
    call = open_live_call(analyzer, recognizer, sample_rate=PHONE_SR, agent_name=AGENT_NAME, company=COMPANY)
    step = int(FRAME_S * PHONE_SR)
    length = max(leg.size for leg in legs.values())
    latencies: list[float] = []
    began = time.monotonic()

    def shown(updates: list[Update]) -> None:
        now = time.monotonic()
        latencies.extend(now - (began + u.turn.end) for u in updates if u.turn is not None)

    for start in range(0, length, step):
        delay = began + start / PHONE_SR - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for speaker in LEGS:
            shown(call.feed(speaker, legs[speaker][start : start + step]))
    shown(call.finish())
    return latencies, time.monotonic() - (began + length / PHONE_SR)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1, help="calls played at once")
    parser.add_argument("--engine", default=None, help="auto, vosk or whisper (default: settings)")
    args = parser.parse_args()
    settings = get_settings()
    if args.engine:
        settings = settings.model_copy(update={"engine": args.engine})
    analyzer = CallAnalyzer(settings)
    recognizer = SerialRecognizer(live_recognizer(settings))
    analyzer.sentiment  # noqa: B018 - fitted before the clock starts, as the server does on the first leg
    legs, _ = render_call()
    recognizer.transcribe(legs["agent"][: 4 * PHONE_SR], PHONE_SR)  # first decode loads what it needs
    recognizer.busy_s = 0.0
    results: list[tuple[list[float], float]] = []
    cpu_began = time.process_time()
    threads = [
        threading.Thread(target=lambda: results.append(play(analyzer, recognizer, legs)))
        for _ in range(args.calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    audio_s = args.calls * sum(leg.size for leg in legs.values()) / PHONE_SR
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print(f"engine {recognizer.name}, {args.calls} call(s) at once, {len(latencies)} turns shown")
    print(
        f"latency end of speech -> shown: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s"
    )
    cpu_s = time.process_time() - cpu_began
    print(f"real-time factor (decode wall s / audio s, both legs): {recognizer.busy_s / audio_s:.3f}")
    print(f"CPU real-time factor (process CPU s / audio s, both legs, all work): {cpu_s / audio_s:.3f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    kept = sum(1 for _, lag in results if lag <= LAG_OK_S)
    lags = ", ".join(f"{lag:.2f}" for _, lag in results)
    print(f"calls kept up with: {kept}/{args.calls} (last update behind audio end: {lags} s)")


if __name__ == "__main__":
    main()
