"""Transcripts written word by word, as a recogniser would return them (0.3 s a word, 0.1 s between)."""

from __future__ import annotations

from transcription.recognizer import Segment, Speaker, Transcript, Word


def transcript(*turns: tuple[Speaker, str], pause_s: float = 1.0) -> Transcript:
    """Segments in order, one per (speaker, text), each word 0.3 s long, `pause_s` between turns."""
    segments = []
    t = 0.0
    for speaker, text in turns:
        words = []
        for w in text.split():
            words.append(Word(w, t, t + 0.3, 0.9))
            t += 0.4
        segments.append(Segment(speaker, words[0].start, words[-1].end, text, tuple(words)))
        t += pause_s
    return Transcript(tuple(segments), t)


def texts(tr: Transcript) -> list[str]:
    return [seg.text for seg in tr.segments]
