"""The second reading for forbidden remarks: which sentences are decoded again, and what a remark heard only
there becomes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.intents import Sentence
from qa.phrases import Violation
from qa.remark_reading import SECOND_READING, heard_again, reread_spans, unsure_sentences

FIRST_WORDS = [(10.0, 12.0, "not mad apartment, ring the bill in time"), (13.0, 15.0, "Let me check that.")]


def _sentence(start: float, end: float, conf: float, text: str = "words") -> Sentence:
    return Sentence(text, start, end, conf, 0)


def _remark(
    category: str, start: float, end: float, *, source: str = "phrase", score: float = 95.0
) -> Violation:
    phrase = f"model:{category}" if source == "model" else "not my department"
    text = "not my department, ring the billing team"
    return Violation(category, start, end, text, phrase, score, source, conf=0.9)


def test_sentences_heard_unsurely_are_chosen_but_not_those_with_a_remark_found() -> None:
    clear = _sentence(1.0, 2.0, 0.95)
    unsure = _sentence(3.0, 4.0, 0.5)
    with_remark = _sentence(7.0, 8.0, 0.3)  # unsure, but a remark was already found in it
    found = [_remark("rude", 7.2, 7.9)]
    assert unsure_sentences([clear, unsure, with_remark], found, unsure_conf=0.7) == [unsure]
    assert unsure_sentences([clear, unsure], [], unsure_conf=0.5) == []  # below, not at


def test_spans_are_padded_cut_to_the_recording_and_merged_where_they_touch() -> None:
    sentences = [_sentence(0.2, 1.0, 0.5), _sentence(1.5, 2.0, 0.5), _sentence(5.0, 9.9, 0.5)]
    assert reread_spans(sentences, 10.0, pad_s=0.4) == [(0.0, 2.4), (4.6, 10.0)]


def test_a_remark_heard_only_by_the_second_decoding_is_added_uncertain_with_its_evidence() -> None:
    second = [_remark("blame_shifting", 10.1, 11.9)]
    [added] = heard_again([], second, first_words=FIRST_WORDS, engine="whisper-base", min_probability=0.75)
    assert (added.state, added.source, added.category) == ("uncertain", SECOND_READING, "blame_shifting")
    assert (added.text, added.start, added.end) == (
        "not my department, ring the billing team",
        10.1,
        11.9,
    )
    assert added.note.startswith("heard only by a second decoding (whisper-base)")
    assert "“not my department, ring the billing team” at 10.1–11.9 s" in added.note
    assert "the listed phrase “not my department”, match 95" in added.note
    assert "the first decoding wrote “not mad apartment, ring the bill in time”" in added.note
    assert added.confidence <= 0.6  # an UNCERTAIN finding states no more than the cap


def test_a_certain_remark_of_the_second_decoding_is_still_uncertain() -> None:
    sure = Violation("rude", 10.0, 12.0, "shut up", "shut up", 100.0, "phrase", 0.95, "fail", "")
    [added] = heard_again([], [sure], first_words=FIRST_WORDS, engine="b", min_probability=0.75)
    assert added.state == "uncertain"
    # A model hit certain there that a remark was said, of a guessed kind: uncertain as a whole.
    guessed = replace(
        _remark("rude", 10.0, 12.0, source="model", score=90.0), state="fail", category_sure=False
    )
    [added] = heard_again([], [guessed], first_words=FIRST_WORDS, engine="b", min_probability=0.75)
    assert (added.state, added.category_sure) == ("uncertain", True)


def test_a_remark_the_first_reading_found_is_not_added_again_but_another_category_there_is() -> None:
    first = [_remark("blame_shifting", 10.0, 12.0)]
    again = _remark("blame_shifting", 10.2, 11.8)
    other = _remark("rude", 10.2, 11.8)
    later = _remark("blame_shifting", 13.0, 15.0)
    out = heard_again(first, [again, other, later], first_words=FIRST_WORDS, engine="b", min_probability=0.75)
    assert out[0] == first[0]
    assert [(v.category, v.start, v.source) for v in out[1:]] == [
        ("rude", 10.2, SECOND_READING),
        ("blame_shifting", 13.0, SECOND_READING),
    ]


@pytest.mark.parametrize(("probability", "kept"), [(0.74, False), (0.75, True), (0.9, True)])
def test_a_model_hit_of_the_second_decoding_counts_from_its_probability(
    probability: float, kept: bool
) -> None:
    hit = _remark("rude", 10.0, 12.0, source="model", score=probability * 100)
    out = heard_again([], [hit], first_words=FIRST_WORDS, engine="b", min_probability=0.75)
    assert bool(out) == kept
    if kept:
        assert f"the sentence model, probability {probability:.2f}" in out[0].note


def test_the_second_decoding_does_not_add_one_remark_twice() -> None:
    twice = [_remark("rude", 10.0, 11.0), _remark("rude", 10.5, 12.0)]
    assert len(heard_again([], twice, first_words=FIRST_WORDS, engine="b", min_probability=0.75)) == 1


def test_where_the_first_decoding_wrote_nothing_the_note_says_so() -> None:
    [added] = heard_again(
        [], [_remark("rude", 20.0, 21.0)], first_words=FIRST_WORDS, engine="b", min_probability=0.75
    )
    assert "the first decoding wrote nothing there" in added.note


def test_a_phrase_the_second_decoding_matched_only_near_its_threshold_is_not_added() -> None:
    near = Violation("blame_customer", 10.0, 12.0, "you not read", "you did not read", 87.0, "phrase", 0.9)
    near = replace(near, state="uncertain", note="weak evidence (87, conf 0.90)")
    assert heard_again([], [near], first_words=FIRST_WORDS, engine="b", min_probability=0.75) == []


def test_a_model_hit_of_the_second_decoding_on_too_few_words_is_not_added() -> None:
    fragment = replace(_remark("rude", 10.0, 11.0, source="model", score=90.0), text="Get me!")
    assert heard_again([], [fragment], first_words=FIRST_WORDS, engine="b", min_probability=0.75) == []


def test_a_model_hit_on_a_sentence_unlike_what_the_first_decoding_wrote_there_is_not_added() -> None:
    # whisper base over unsure audio of "I'm just opening your details now"
    invented = _remark("rude", 13.0, 15.0, source="model", score=89.0)
    invented = replace(invented, text="I'm not so pretty young even though...")
    first_words = [(13.0, 15.0, "I'm your token in your name and now,")]
    assert heard_again([], [invented], first_words=first_words, engine="b", min_probability=0.75) == []
