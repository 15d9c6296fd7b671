"""Whisper's guards: the decoding-loop guard on word sequences (pure) and the re-decode of regions whisper
left with too few words (real tiny.en)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from tests.transcription.conftest import espeak
from transcription.model_store import find_whisper_model
from transcription.recognizer import Utterance, Word
from transcription.whisper_engine import WhisperRecognizer, collapse_loops


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


@pytest.mark.slow
def test_a_region_whisper_dropped_words_from_is_decoded_again_alone() -> None:
    recognizer = WhisperRecognizer(find_whisper_model(None, "en"))
    sr = 16000
    gap = np.zeros(int(1.5 * sr), dtype=np.float32)
    first = espeak("Could you please confirm your account number", "en-us", sr)
    second = espeak("Thank you for calling, have a great day, goodbye", "en-us", sr)
    audio = np.concatenate([gap, first, gap, second, gap]) * 0.7
    real_decode = recognizer._decode
    windows: list[float] = []

    def drops_the_end(window: np.ndarray, offset: float, hints: Sequence[str]) -> list[Utterance]:
        """Whisper's failure: the window over both sentences keeps the first one, its last word stretched
        to the end of the speech (so no speech seems left after it); later windows decode for real."""
        windows.append(len(window) / sr)
        found = real_decode(window, offset, hints)
        if len(windows) > 1:
            return found
        [kept, *_] = found
        stretched = (*kept.words[:-1], replace(kept.words[-1], end=len(audio) / sr - 1.5))
        return [replace(kept, end=stretched[-1].end, words=stretched)]

    recognizer._decode = drops_the_end  # type: ignore[method-assign]
    text = " ".join(u.text for u in recognizer.transcribe(audio.astype(np.float32), sr)).lower()
    assert windows[0] > len(audio) / sr - 3.0  # the first window did span both sentences
    assert "account" in text and "goodbye" in text.replace(" ", "")


def test_words_with_no_speech_under_them_are_dropped() -> None:
    from transcription.whisper_engine import only_where_speech

    spoken = Utterance(0.0, 3.5, "one two three four", words("one two three four"), 0.9)
    invented = Utterance(10.0, 10.5, "Okay.", (Word("Okay.", 10.0, 10.5),), 0.9)
    kept = only_where_speech([spoken, invented], [(0.0, 2.2)])
    assert [w.text for u in kept for w in u.words] == ["one", "two", "three"]
    assert kept[0].end == 2.5 and kept[0].text == "one two three"


def test_a_turns_last_word_stamped_past_the_speech_is_kept_with_the_word_it_continues() -> None:
    """Stamps seen on a clean synthetic agent turn: speech ends at 3.81 s, whisper stretched "name's" to
    4.20 and gave "Dwayne." zero length there; the name's middle is 0.39 s past the region."""
    from transcription.whisper_engine import only_where_speech

    stamped = (Word("my", 3.12, 3.22), Word("name's", 3.22, 4.20), Word("Dwayne.", 4.20, 4.20))
    turn = Utterance(3.12, 4.20, "my name's Dwayne.", stamped, 0.9)
    kept = only_where_speech([turn], [(0.54, 3.81)])
    assert kept == [turn]


def test_a_turns_first_word_stamped_before_the_speech_is_kept_from_the_speech_on() -> None:
    """Stamps seen on a clean neural agent turn: speech starts at 28.90 s, whisper stretched "Thank" back
    to 27.90 (its middle 0.5 s before the region), and without it the closing's thanks read "you for
    calling"."""
    from transcription.whisper_engine import only_where_speech

    stamped = (Word("Thank", 27.90, 29.08), Word("you", 29.08, 29.30), Word("for", 29.30, 29.50))
    turn = Utterance(27.90, 29.50, "Thank you for", stamped, 0.9)
    [kept] = only_where_speech([turn], [(28.90, 31.71)])
    assert [w.text for w in kept.words] == ["Thank", "you", "for"]
    assert kept.start == kept.words[0].start == 28.90 and kept.words[0].end == 29.08


def test_a_word_before_the_speech_is_dropped_unless_it_reaches_into_the_next_words_speech() -> None:
    from transcription.whisper_engine import only_where_speech

    # "Okay." ends before the speech starts; "So" ends inside it, but "hello" starts after a pause
    before = (Word("Okay.", 0.0, 0.9), Word("hello", 0.9, 1.6))
    paused = (Word("So", 0.0, 1.1), Word("hello", 1.3, 1.6))
    kept = only_where_speech(
        [Utterance(0.0, 1.6, "Okay. hello", before, 0.9), Utterance(0.0, 1.6, "So hello", paused, 0.9)],
        [(1.0, 2.0)],
    )
    assert [[w.text for w in u.words] for u in kept] == [["hello"], ["hello"]]


def test_a_word_after_a_pause_or_far_past_the_speech_is_still_dropped() -> None:
    from transcription.whisper_engine import only_where_speech

    after_pause = (Word("help.", 1.0, 1.8), Word("Okay.", 1.9, 2.2))  # 0.1 s gap: a new word in silence
    # "you" starts 0.5 s past the speech (kept), "today." 1.1 s past (dropped)
    far = (Word("for", 1.0, 2.0), Word("you", 2.0, 2.6), Word("today.", 2.6, 3.0))
    kept = only_where_speech(
        [
            Utterance(1.0, 2.2, "help. Okay.", after_pause, 0.9),
            Utterance(1.0, 3.0, "for you today.", far, 0.9),
        ],
        [(0.5, 1.5)],
    )
    assert [[w.text for w in u.words] for u in kept] == [["help."], ["for", "you"]]
