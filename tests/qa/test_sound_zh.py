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
    ("heard", "phrase"),
    # one syllable's final alone is no evidence: 心 has 您's -in
    [("谢谢您的配合", "谢谢您的来电"), ("好的", "再见"), ("您好", "你好"), ("心", "您")],
)
def test_other_words_are_not(heard: str, phrase: str) -> None:
    assert sound_similarity_zh(list(heard), phrase) < SOUND_CLOSE_ZH


def test_a_misheard_phrase_is_found_in_a_turn() -> None:
    transcript = make_transcript([("agent", 0.0, 3.0, "好的，感谢您的来店，在见。")])
    tokens = tokenize_segments(transcript.segments, list(range(len(transcript.segments))))
    assert sounds_close(tokens, ["再见"]) == ("在 见", "再见")
    assert sounds_close(tokens, ["请问还有什么可以帮您"]) is None


@pytest.mark.parametrize("heard", ["太天", "派天", "太便"])
def test_a_goodbye_whose_consonants_were_lost_is_close_only_where_the_words_were_unsure(heard: str) -> None:
    # whisper base's readings of espeak-ng Mandarin's 再见 (the demo call and held-out set B on audio):
    # the consonants lost, 再见's finals ai-ian kept, heard at probability 0.6
    assert sound_similarity_zh(list(heard), "再见") < SOUND_CLOSE_ZH
    assert sound_similarity_zh(list(heard), "再见", by_finals=True) >= SOUND_CLOSE_ZH
    unsure = tokenize_segments(make_transcript([("agent", 0.0, 1.0, f"{heard}。")], conf=0.61).segments)
    assert sounds_close(unsure, ["再见"]) == (" ".join(heard), "再见")
    # heard surely, 感谢您的来电 holds 来电 (finals ai-ian too) and no goodbye
    sure = tokenize_segments(make_transcript([("agent", 0.0, 2.0, "感谢您的来电。")]).segments)
    assert sounds_close(sure, ["再见"]) is None
