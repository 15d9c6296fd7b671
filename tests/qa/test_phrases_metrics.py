"""Forbidden phrases, empathy, dead air, talk statistics and sentiment on hand-made transcripts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qa.exceptions import ScriptError
from qa.intent_evidence import ModelMatch
from qa.matching import Match
from qa.metrics import find_dead_air, talk_stats
from qa.phrases import (
    CATEGORY_GUESSED,
    find_agent_phrases,
    find_violations,
    load_empathy_phrases,
    load_forbidden_phrases,
)
from qa.script import load_script
from qa.sentiment import VaderSentiment, speaker_sentiment
from tests.qa.helpers import DEAD_AIR_MIN_S, Turn, make_transcript


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Well, you should have read the terms.", "blame_customer"),
        ("Honestly that is your own fault.", "blame_customer"),
        ("Sorry, that's not my department.", "blame_shifting"),
        ("That is not my job, talk to someone else.", "blame_shifting"),
        ("Calm down please.", "rude"),
        ("Just listen to me for a second.", "rude"),
    ],
)
def test_forbidden_phrases_by_category(text: str, category: str) -> None:
    transcript = make_transcript([("agent", 1.0, 3.0, text)])
    found = find_violations(transcript, load_forbidden_phrases(None))
    assert category in {v.category for v in found}
    assert all(1.0 <= v.start <= v.end <= 3.0 for v in found)


def test_clearly_heard_violation_fails_and_a_mumbled_one_is_uncertain() -> None:
    phrases = load_forbidden_phrases(None)
    said = "Honestly that is your own fault."
    clear = find_violations(make_transcript([("agent", 1.0, 3.0, said)]), phrases)
    mumbled = find_violations(make_transcript([("agent", 1.0, 3.0, said)], conf=0.3), phrases)
    assert [(v.state, v.note) for v in clear] == [("fail", "")]
    assert [v.state for v in mumbled] == ["uncertain"]
    assert "conf 0.30" in mumbled[0].note
    assert mumbled[0].to_dict()["state"] == "uncertain"
    assert mumbled[0].to_dict()["conf"] == 0.3


def test_violation_barely_above_the_threshold_is_uncertain() -> None:
    phrases = load_forbidden_phrases(None)
    # The recogniser cut the phrase short: still a violation, but a person should listen to it.
    cut = make_transcript([("agent", 1.0, 3.0, "that is not my depart")])
    exact = make_transcript([("agent", 1.0, 3.0, "that is not my department")])
    (near,) = find_violations(cut, phrases)
    assert (near.category, near.state) == ("blame_shifting", "uncertain")
    assert phrases.threshold <= near.score < phrases.threshold + 5
    assert [v.state for v in find_violations(exact, phrases)] == ["fail"]


def test_clean_call_and_caller_speech_have_no_violations() -> None:
    transcript = make_transcript(
        [
            ("agent", 0.0, 3.0, "Let me check that for you, it will take effect within an hour."),
            ("caller", 3.5, 5.0, "That is not my problem, calm down!"),
        ]
    )
    assert find_violations(transcript, load_forbidden_phrases(None)) == []


def test_empathy() -> None:
    phrases = load_empathy_phrases(None)
    kind = make_transcript([("agent", 0, 3, "I'm so sorry for the trouble, let me fix it.")])
    cold = make_transcript([("agent", 0, 3, "Account number?")])
    assert find_agent_phrases(kind, phrases).get("empathy")
    assert not find_agent_phrases(cold, phrases).get("empathy")


def test_dead_air_needs_ten_seconds_inside_the_call() -> None:
    turns: list[Turn] = [
        ("agent", 0.0, 2.0, "Let me check."),
        ("agent", 14.0, 16.0, "Done."),
        ("caller", 25.0, 26.0, "Ok."),
    ]
    gaps = find_dead_air(make_transcript(turns, duration_s=60.0), min_gap_s=DEAD_AIR_MIN_S)
    assert [(g.start, g.end) for g in gaps] == [(2.0, 14.0)]  # the 34 s of trailing silence is not inside
    short: list[Turn] = [("agent", 0.0, 2.0, "Let me check."), ("agent", 11.0, 12.0, "Done.")]
    assert find_dead_air(make_transcript(short), min_gap_s=DEAD_AIR_MIN_S) == []
    assert len(find_dead_air(make_transcript(short), min_gap_s=8.0)) == 1


def test_talk_stats_measure_overlap_and_ratio() -> None:
    stats = talk_stats(make_transcript([("agent", 0.0, 4.0, "a b c d"), ("caller", 3.0, 5.0, "e f")]))
    assert stats.agent_talk_s == pytest.approx(4.0)
    assert stats.caller_talk_s == pytest.approx(2.0)
    assert stats.overlap_s == pytest.approx(1.0)
    assert stats.agent_talk_ratio == pytest.approx(4 / 6)


def test_caller_end_sentiment_ignores_the_closing_pleasantry() -> None:
    transcript = make_transcript(
        [
            ("caller", 0.0, 2.0, "My bill is wrong again, I am furious."),
            ("caller", 10.0, 12.0, "This is useless, I am going to cancel."),
            ("agent", 13.0, 15.0, "Is there anything else I can help you with?"),
            ("caller", 15.5, 16.5, "No, that is all."),
        ]
    )
    sentiment = speaker_sentiment(transcript, "caller", VaderSentiment(), content_ends_at=13.0)
    assert (sentiment.start, sentiment.end) == ("neg", "neg")
    assert len(sentiment.utterances) == 3


def test_sentiment_reads_the_unredacted_words_and_keeps_the_redacted_text() -> None:
    said = make_transcript([("caller", 0.0, 3.0, "It's 4 5 6 7, this is useless, I am going to cancel.")])
    redacted = make_transcript([("caller", 0.0, 3.0, "[ACCOUNT]")])
    sentiment = speaker_sentiment(redacted, "caller", VaderSentiment(), read_from=said)
    assert sentiment.end == "neg" and [u.text for u in sentiment.utterances] == ["[ACCOUNT]"]
    other = make_transcript([("caller", 5.0, 6.0, "Something else entirely.")])
    with pytest.raises(ValueError, match="same segments"):
        speaker_sentiment(redacted, "caller", VaderSentiment(), read_from=other)


def test_bad_files_raise_script_errors(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("checks: [unclosed")
    with pytest.raises(ScriptError, match="not valid YAML"):
        load_script(bad_yaml)
    no_checks = tmp_path / "empty.yaml"
    no_checks.write_text("id: x\nversion: 1\nchecks: {}\n")
    with pytest.raises(ScriptError, match="no checks"):
        load_script(no_checks)
    unknown = tmp_path / "forbidden.yaml"
    unknown.write_text("categories: {swearing: [darn]}\n")
    with pytest.raises(ScriptError, match="unknown categories"):
        load_forbidden_phrases(unknown)
    with pytest.raises(ScriptError, match="cannot read"):
        load_script(tmp_path / "missing.yaml")


def test_a_weak_phrase_match_gives_way_to_a_certain_model_hit_over_the_same_words() -> None:
    phrases = load_forbidden_phrases(None)
    said = "You should have told us about the meter yourself."
    transcript = make_transcript([("agent", 1.0, 4.0, said)])
    [weak] = find_violations(transcript, phrases)
    assert (weak.source, weak.state) == ("phrase", "uncertain")  # a loose match of "you should have read"

    def model_hit(certain_at: float) -> dict[str, list[Match]]:
        hit = ModelMatch("model:blame_customer", said, 1.0, 4.0, 92.0, 0, 0.95, -1, -1, certain_at=certain_at)
        return {"blame_customer": [hit]}

    [certain] = find_violations(transcript, phrases, model_hit(0.8), learned_threshold=50.0)
    assert (certain.source, certain.state) == ("model", "fail")
    assert certain.note.startswith("model probability 0.92 (certain from 0.80")
    # A model hit that is not certain itself leaves the phrase match standing (and is not added beside it).
    assert find_violations(transcript, phrases, model_hit(0.95), learned_threshold=50.0) == [weak]


def test_a_certain_model_remark_whose_point_is_for_any_category_states_its_category_as_a_guess() -> None:
    said = "Honestly, it's because you keep changing your mind that it's in such a muddle."
    transcript = make_transcript([("agent", 1.0, 5.0, said)])
    hit = ModelMatch(
        "model:rude", said, 1.0, 5.0, 80.0, 0, 0.95, -1, -1, certain_at=0.67, category_sure=False
    )
    [guessed] = find_violations(
        transcript, load_forbidden_phrases(None), {"rude": [hit]}, learned_threshold=50.0
    )
    assert (guessed.category, guessed.state, guessed.category_sure) == ("rude", "fail", False)
    assert guessed.note.endswith(f"; {CATEGORY_GUESSED}")
    assert guessed.to_dict()["category_sure"] is False
    # Under the point it is uncertain as a whole; a category-specific point vouches for the category.
    [unsure] = find_violations(
        transcript,
        load_forbidden_phrases(None),
        {"rude": [replace(hit, certain_at=0.9)]},
        learned_threshold=50.0,
    )
    assert (unsure.state, unsure.category_sure) == ("uncertain", True)
    [sure] = find_violations(
        transcript,
        load_forbidden_phrases(None),
        {"rude": [replace(hit, category_sure=True)]},
        learned_threshold=50.0,
    )
    assert (sure.state, sure.category_sure, sure.note.endswith(CATEGORY_GUESSED)) == ("fail", True, False)
