from __future__ import annotations

import pytest

from qa.pii.spoken import atoms, compose, spoken_text
from tests.qa.pii_helpers import transcript


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("four five three two", "4532"),
        ("forty five thirty two", "4532"),
        ("double five oh one", "5501"),
        ("triple seven", "777"),
        ("nineteen eighty five", "1985"),
        ("two thousand and five", "2005"),
        ("five hundred and twelve", "512"),
        ("one eight hundred", "1800"),
        ("4-5-3-2", "4532"),
        ("4,532", "4532"),
        ("twenty-three", "23"),
        ("14th of March", "1403"),
        ("+44", "44"),
    ],
)
def test_number_words_compose_to_digits(words: str, digits: str) -> None:
    assert compose([a for w in words.split() for a in atoms(w)]) == digits


def test_a_number_said_in_parts_and_across_utterances_is_one_token() -> None:
    tr = transcript(("caller", "it is 4532, um, one two"), ("caller", "three four then 5678"))
    assert spoken_text(tr, "caller", max_gap_s=4.0).text == "it is 453212345678"


def test_a_long_pause_or_a_word_ends_a_number() -> None:
    tr = transcript(("caller", "one two"), ("caller", "three four"), pause_s=5.0)
    assert spoken_text(tr, "caller", max_gap_s=4.0).text == "12 34"
    tr = transcript(("caller", "one two please three four"))
    assert spoken_text(tr, "caller", max_gap_s=4.0).text == "12 please 34"


def test_oh_as_an_exclamation_and_may_as_a_verb_stay_words() -> None:
    tr = transcript(("caller", "seven three seven."), ("caller", "Oh, and may I ask"))
    assert spoken_text(tr, "caller", max_gap_s=4.0).text == "737 Oh and may I ask"
    tr = transcript(("caller", "oh seven seven double oh nine"))
    assert spoken_text(tr, "caller", max_gap_s=4.0).text == "077009"


def test_every_character_of_a_number_points_to_all_its_words() -> None:
    tr = transcript(("caller", "card four five three two"))
    spoken = spoken_text(tr, "caller", max_gap_s=4.0)
    start = spoken.text.index("4532")
    assert spoken.words_of(start, start + 1) == [1, 2, 3, 4]
    assert [spoken.words[i].word.text for i in spoken.words_of(0, 4)] == ["card"]
