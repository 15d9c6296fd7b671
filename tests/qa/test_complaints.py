"""Complaint cues in the caller's speech (qa/complaints.py), English and Chinese, on the sentences the cue
lists were tuned on. Untuned figures: bench/complaints.py on bench/data/complaints_heldout.tsv."""

from __future__ import annotations

import pytest

from qa.complaints import find_complaints, is_complaint, load_complaint_cues
from qa.exceptions import ScriptError
from transcription.recognizer import Segment

TUNED_ON = [
    (True, "en", "I want to file a complaint"),
    (True, "en", "I would like to make a complaint about my last bill"),
    (True, "en", "I'm calling to complain about the noise on the line"),
    (True, "en", "this is ridiculous, I'm complaining to your head office"),
    (True, "en", "I will take this to the ombudsman"),
    (True, "en", "Give me the complaints line"),
    (False, "en", "no complaints at all, thanks"),
    (False, "en", "I'm not here to complain"),
    (False, "en", "I don't want to complain but the app is slow"),
    (False, "en", "what time do you close today"),
    (False, "en", "my wife complained that the bill is late"),
    (False, "en", "I can't complain really"),
    (True, "zh", "我要投诉"),
    (True, "zh", "我要投诉你们公司"),
    (True, "zh", "我去消协告你们"),
    (True, "zh", "我要打12315"),
    (False, "zh", "我没有投诉"),
    (False, "zh", "不是投诉，我想咨询一下"),
    (False, "zh", "我想查询订单"),
    (False, "zh", "我不想投诉，只想解决问题"),
]


@pytest.mark.parametrize(("complaint", "language", "text"), TUNED_ON)
def test_a_callers_sentence_is_a_complaint_or_not(complaint: bool, language: str, text: str) -> None:
    assert is_complaint(text, load_complaint_cues(language=language)) is complaint


def test_only_the_callers_speech_counts_and_the_cue_is_located() -> None:
    cues = load_complaint_cues()
    segments = [
        Segment("agent", 0.0, 2.0, "you can file a complaint online"),
        Segment("caller", 3.0, 6.0, "fine then I want to file a complaint"),
    ]
    [hit] = find_complaints(segments, cues)
    assert hit.segment == 1 and hit.start >= 3.0 and "complaint" in hit.text
    assert find_complaints(segments[:1], cues) == []


def test_a_malformed_cue_file_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    bad = tmp_path / "cues.yaml"  # type: ignore[operator]
    bad.write_text("not_complaint: [no complaints]\n")
    with pytest.raises(ScriptError, match="invalid complaint cue file"):
        load_complaint_cues(bad)


@pytest.mark.parametrize(
    ("complaint", "text"),
    [
        # A negation just before the cue takes it back, whatever verb the caller chose (none is listed).
        (False, "I'm not ringing to complain, I want to upgrade"),
        (False, "I'm not bringing to complain, just a question"),  # the recogniser's "ringing"
        (False, "honestly I didn't phone up to complain"),
        (False, "it wasn't a complaint"),
        (False, "Not writing to complain. Just a question"),
        # Words between that make the cue another verb's object: the negation denies that verb.
        (True, "you didn't log my complaint"),
        (True, "this is not the first complaint I have made"),
        # A negation further back belongs to an earlier clause; one in the sentence before does not count.
        (True, "if this isn't fixed I will complain"),
        (True, "I'm not happy and I want to make an official complaint"),
        (True, "No. Complaints department please"),
    ],
)
def test_a_negation_just_before_a_cue_takes_it_back(complaint: bool, text: str) -> None:
    assert is_complaint(text, load_complaint_cues()) is complaint


def test_a_negation_in_another_segment_does_not_take_a_cue_back() -> None:
    segments = [Segment("caller", 0.0, 1.0, "no"), Segment("caller", 1.5, 3.0, "complaints please")]
    assert len(find_complaints(segments, load_complaint_cues())) == 1


def test_negation_words_must_be_quoted_strings(tmp_path: pytest.TempPathFactory) -> None:
    bad = tmp_path / "cues.yaml"  # type: ignore[operator]
    # YAML reads a bare `no` as false; a silently dropped "no" would keep "no complaints" a complaint.
    bad.write_text("complaint: [complaint]\nnegation_window: 3\nnegations: [not, no]\n")
    with pytest.raises(ScriptError, match="quoted words"):
        load_complaint_cues(bad)
