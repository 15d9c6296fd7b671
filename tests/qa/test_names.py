"""Names heard by sound as well as by spelling (qa/names.py)."""

from __future__ import annotations

import pytest

from qa.matching import tokenize_segments
from qa.names import NAME_CLOSE, NAME_SIMILAR, find_name, name_similarity
from tests.qa.helpers import make_transcript


@pytest.mark.parametrize(
    ("heard", "name"),
    [("Louise", "Luis"), ("fatty ma", "Fatima"), ("Mae", "Mei"), ("Oskar", "Oscar"), ("in grid", "Ingrid")],
)
def test_misheard_names_sound_like_the_name(heard: str, name: str) -> None:
    assert name_similarity(heard, name) >= NAME_SIMILAR


@pytest.mark.parametrize(
    ("heard", "name"), [("american", "Priya"), ("for you", "Priya"), ("is there", "Priya"), ("Maine", "Mei")]
)
def test_other_words_do_not(heard: str, name: str) -> None:
    assert name_similarity(heard, name) < NAME_CLOSE


def test_find_name_skips_common_words_and_stays_in_one_segment() -> None:
    transcript = make_transcript([("agent", 0.0, 2.0, "let me see"), ("agent", 2.5, 4.0, "Mae here")])
    tokens = tokenize_segments(transcript.segments)
    hit = find_name(tokens, "Mei")
    assert hit is not None and tokens[hit.first].text == "mae"
    assert find_name(tokenize_segments(make_transcript([("agent", 0, 1, "me me")]).segments), "Mei") is None
