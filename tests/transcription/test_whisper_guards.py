"""Whisper's decoding-loop guard on word sequences (pure)."""

from __future__ import annotations

from transcription.recognizer import Word
from transcription.whisper_engine import collapse_loops


def words(text: str) -> tuple[Word, ...]:
    return tuple(Word(t, float(i), i + 0.5) for i, t in enumerate(text.split()))


def test_a_name_or_phrase_repeated_in_a_loop_is_kept_once_with_its_first_times() -> None:
    looped = collapse_loops(words("Orbit Energy, Priya, Priya, Priya, Priya, Priya. How can I help"))
    assert [w.text for w in looped] == ["Orbit", "Energy,", "Priya,", "How", "can", "I", "help"]
    assert looped[2].start == 2.0
    phrase = collapse_loops(words("thank you thank you thank you thank you bye"))
    assert [w.text for w in phrase] == ["thank", "you", "bye"]


def test_ordinary_repetition_is_left_alone() -> None:
    for text in ("no no that is fine", "thank you thank you so much", "very very good"):
        assert [w.text for w in collapse_loops(words(text))] == text.split()
