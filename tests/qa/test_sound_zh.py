"""Chinese heard by sound: pinyin similarity of a heard stretch and a script phrase."""

from __future__ import annotations

import pytest

from qa.absence import sounds_close
from qa.matching import tokenize_segments
from qa.sound_zh import SOUND_CLOSE_ZH, sound_similarity_zh
from tests.qa.helpers import make_transcript


@pytest.mark.parametrize(
    ("heard", "phrase"),
    [
        ("在见", "再见"),
        ("感谢您的来店", "感谢您的来电"),
        ("晚上号", "晚上好"),
        ("还有什么可以办您", "还有什么可以帮您"),
    ],
)
def test_homophones_and_merged_sounds_are_close(heard: str, phrase: str) -> None:
    assert sound_similarity_zh(list(heard), phrase) >= SOUND_CLOSE_ZH


@pytest.mark.parametrize(
    ("heard", "phrase"), [("谢谢您的配合", "谢谢您的来电"), ("好的", "再见"), ("您好", "你好")]
)
def test_other_words_are_not(heard: str, phrase: str) -> None:
    assert sound_similarity_zh(list(heard), phrase) < SOUND_CLOSE_ZH


def test_a_misheard_phrase_is_found_in_a_turn() -> None:
    transcript = make_transcript([("agent", 0.0, 3.0, "好的，感谢您的来店，在见。")])
    tokens = tokenize_segments(transcript.segments, list(range(len(transcript.segments))))
    assert sounds_close(tokens, ["再见"]) == ("在 见", "再见")
    assert sounds_close(tokens, ["请问还有什么可以帮您"]) is None
