"""Long recordings in bounded memory: read the file in blocks and stream each leg through Vosk.

`load_call_audio` holds the whole recording (an hour of 8 kHz stereo is ~230 MB as float32); this path
holds one block per leg plus the decoder's state, whatever the length, and Vosk's word times are counted
from the samples it was fed, so they do not drift over hours.
"""

from __future__ import annotations

from pathlib import Path

from transcription.audio import BLOCK_S, audio_blocks, read_audio_info
from transcription.recognizer import Segment, Speaker, Transcript, Word
from transcription.streaming import StreamEvent, VoskStream
from transcription.vosk_engine import VoskRecognizer


def transcribe_long_recording(
    path: Path, recognizer: VoskRecognizer, *, agent_channel: int = 0, block_s: float = BLOCK_S
) -> Transcript:
    """Transcribe a stereo (or mono = agent) recording of any length, block by block."""
    info = read_audio_info(path)
    speakers: list[Speaker] = (
        ["agent"]
        if info.channels == 1
        else (["agent", "caller"] if agent_channel == 0 else ["caller", "agent"])
    )
    streams = {s: VoskStream(recognizer.model, info.sample_rate) for s in speakers}
    segments: list[Segment] = []

    def keep(speaker: Speaker, events: list[StreamEvent]) -> None:
        for e in events:
            if e.kind == "final":
                segments.append(Segment(speaker, e.start, e.end, e.text, e.words, _conf(e.words)))

    for data in audio_blocks(path, info, block_s=block_s):
        for index, speaker in enumerate(speakers):
            keep(speaker, streams[speaker].accept(data[:, index]))
    for speaker, stream in streams.items():
        keep(speaker, stream.finish())
    segments.sort(key=lambda s: (s.start, s.end))
    return Transcript(tuple(segments), info.duration_s, engine=recognizer.name)


def _conf(words: tuple[Word, ...]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0
