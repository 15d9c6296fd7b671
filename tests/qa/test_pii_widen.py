"""Redaction widened for the audio's sake (qa/pii/widen.py), on transcripts as tiny.en wrote them on the
PII set's phone line: garbled digits beside the ones caught, garbled questions, and what must stay."""

from __future__ import annotations

from dataclasses import replace

from qa.pii.config import load_pii_config
from qa.pii.detect import find_pii
from qa.pii.redact import redact_transcript
from tests.qa.pii_helpers import texts
from transcription.recognizer import Segment, Speaker, Transcript, Word

CONFIG = load_pii_config()


def heard(*turns: tuple[Speaker, str]) -> Transcript:
    """Segments one per turn; a word written `word/0.12` has that confidence (else 0.9); 0.3 s a word,
    0.1 s between words, 1 s between turns."""
    segments, t = [], 0.0
    for speaker, text in turns:
        words = []
        for token in text.split():
            word, _, conf = token.partition("/")
            words.append(Word(word, t, t + 0.3, float(conf) if conf else 0.9))
            t += 0.4
        segments.append(
            Segment(speaker, words[0].start, words[-1].end, " ".join(w.text for w in words), tuple(words))
        )
        t += 1.0
    return Transcript(tuple(segments), t)


def _redacted(*turns: tuple[Speaker, str]) -> list[str]:
    tr = heard(*turns)
    return texts(redact_transcript(tr, find_pii(tr, CONFIG)))


def test_the_garbled_rest_of_a_card_read_out_goes_with_the_digits_caught() -> None:
    out = _redacted(
        ("agent", "What's the 16th digit number on the front of your card?"),
        ("caller", "Okay, it is 4 .565, so not/0.12 only/0.41 to I./0.31"),
        ("agent", "Mm-hmm, go on."),
        ("caller", "The/0.11 I'm/0.49 709, 0 .0320."),
    )
    assert out[1] == "[CARD]" and out[3] == "[CARD]"
    assert out[0] == "What's the 16th digit number on the front of your card?"


def test_a_read_back_behind_a_garbled_cue_and_a_code_behind_a_garbled_question() -> None:
    out = _redacted(
        ("agent", "Can I have the long number on the card?"),
        ("caller", "Sure, 4 .5, 3 .2, 0 .1, 5 .1, 1 .2, 8 .3, 0 .3, 6 .6"),
        # "that's the card ending in zero three two oh", "and the CVV please?", "four double nine"
        ("agent", "you have the car bending/0.14 in 0 .3 to .0"),
        ("agent", "and you can see me, me"),
        ("caller", "Oh,/0.09 that will die."),
    )
    assert out[1] == "[CARD]"
    assert out[2].endswith("[CARD]") and "0" not in out[2] and "3" not in out[2]
    assert out[3] == "and you can see me, me"
    assert out[4] == "[CVV]"


def test_digits_between_two_parts_of_a_phone_number_go_too() -> None:
    out = _redacted(
        ("agent", "Can I take a contact"),
        ("caller", "It's eight/0.11 to two, not/0.13 all time, I'm seven, one, two,"),
    )
    assert out[1] == "[PHONE]"


def test_what_is_not_a_number_stays() -> None:
    turns: list[tuple[Speaker, str]] = [
        ("agent", "Good morning, Acme Bank, my name is Tom, how can I help you?"),
        ("agent", "Can I have the long number on the card please?"),
        ("caller", "Sorry, I don't have it with me right now."),
        ("agent", "And finally the last three digits on the back of the card."),
        ("agent", "I've raised ticket number two two nine for the engineers."),
        ("agent", "and I come to 24 .50"),
        ("caller", "I'm/0.2 James/0.06 Dickett"),
        ("agent", "Is there anything else I can help you with? Thank you for calling Acme Bank, goodbye."),
    ]
    assert _redacted(*turns) == [" ".join(w.partition("/")[0] for w in t.split()) for _, t in turns]


def test_a_code_the_recogniser_lost_or_garbled_is_silenced_all_the_same() -> None:
    tr = heard(
        ("agent", "Can I have the long number on the card?"),
        ("caller", "4532 0151 1283 0366"),
        ("agent", "And finally the last three digits on the back of the card."),
        # the caller's "seven five six" was not decoded at all
        ("agent", "That comes to twenty four pounds fifty."),
        ("caller", "thanks"),
    )
    asked = tr.segments[2].end
    lost = [s for s in find_pii(tr, CONFIG) if s.speaker == "caller" and not s.words and s.start >= asked]
    assert [(s.entity, s.start) for s in lost] == [("CVV", asked)]
    assert lost[0].end == tr.segments[3].start  # up to what was said next (the agent)
    out = _redacted(
        ("agent", "And finally the last three digits on the back of the card."),
        ("caller", "I'm/0.42 near/0.32 at/0.66"),  # "nine zero one"
    )
    assert out[1] == "[CVV]"


def test_an_email_address_as_tiny_en_garbles_it() -> None:
    out = _redacted(
        ("agent", "And what email address should we use?"),
        ("caller", "If/0.57 there were not Taylor/0.32 F./0.19 Hartmail, not come./0.44"),
        ("agent", "And what email address should we use?"),
        ("caller", "It's the same as before."),
    )
    assert out[1] == "[EMAIL]" and out[3] == "It's the same as before."


def test_an_email_address_whose_dots_tiny_en_heard_as_not() -> None:
    out = _redacted(
        ("agent", "And what email address should we use?"),
        (
            "caller",
            "If/0.19 James/0.55 not/0.53 will/0.67 turn/0.14 up/0.63 the/0.84 app,/0.73 do/0.72 not/0.99",
        ),
    )  # "james dot wilson at yahoo dot com"
    assert out[1] == "[EMAIL]"


def test_the_end_of_a_card_number_the_recogniser_dropped_is_silenced() -> None:
    tr = heard(
        ("agent", "Can I have the long number on the card?"),
        ("caller", "Sure, 4 times 4 times 3, 9,"),  # "... nine zero five five, nine oh two seven" not written
    )
    tr = replace(
        tr, segments=(*tr.segments, Segment("agent", 12.0, 12.3, "Thanks.", (Word("Thanks.", 12.0, 12.3),)))
    )
    said = tr.segments[1].end
    tails = [(s.start, s.end) for s in find_pii(tr, CONFIG) if s.speaker == "caller" and not s.words]
    asked = tr.segments[0].end  # the question's cue ends it
    # the answer to the card question up to the agent's next word, and the tail after what was decoded
    # (kept for a card said without a question)
    assert tails == [(asked, 12.0), (said, 12.0)]


def test_an_answer_whose_words_end_early_is_silenced_until_the_agent_speaks_again() -> None:
    tr = heard(
        ("agent", "And your date of birth please?"),
        ("caller", "The third and one,"),  # "the third of August, nineteen sixty four": the year not written
    )
    tr = replace(
        tr, segments=(*tr.segments, Segment("agent", 9.0, 9.5, "Thanks.", (Word("Thanks.", 9.0, 9.5),)))
    )
    spans = find_pii(tr, CONFIG)
    silenced = [(s.entity, s.start, s.end) for s in spans if s.speaker == "caller" and not s.words]
    birth = next(w for w in tr.segments[0].words if w.text.startswith("birth"))
    assert silenced == [("DATE_OF_BIRTH", birth.end, 9.0)]  # from the question's cue on
    # the transcript is the text rules' business: the answer itself is redacted by its words
    assert [s.entity for s in spans if s.words] == ["DATE_OF_BIRTH"]


def test_a_read_back_garbled_into_homophones_goes_as_the_callers_number() -> None:
    out = _redacted(
        ("agent", "Can I take a contact number?"),
        ("caller", "it's 49 times double time, 4 -3 -2"),
        ("agent", "Let me repeat that. For/0.23 free/0.28 time, I'm for free to,"),
        ("agent", "And what email address should we use?"),
    )
    assert out[2] == "Let me repeat [PHONE]" and out[3] == "And what email address should we use?"


def test_a_read_back_ends_at_the_agents_next_question_and_its_unheard_end_is_silenced() -> None:
    tr = heard(
        ("agent", "Can I have the long number on the card?"),
        ("caller", "4532 0151 1283 9153"),
        # "that's the card ending in nine one five three" then "and the three digit security code on the
        # back?" with no pause between, as whisper runs them on
        ("agent", "that's the card ending in 9 -1 -5 -3 and the 3 digits have you on the Mac?"),
    )
    # the question's cue ("digits") ends the read-back; the "3" before it may still be a digit of it
    assert texts(redact_transcript(tr, find_pii(tr, CONFIG)))[2] == (
        "that's the card ending in [CARD] digits have you on the Mac?"
    )
    # "let me repeat that, three four six, five double five, four zero two, seven" written as far as
    # "I'm done a little"; the agent's next words come 3 s later: the read-back's audio went on
    tr = heard(
        ("agent", "What's the best phone number to reach you on?"),
        ("caller", "3, 4, 6, 5, 5, 4, 0, 2,"),
        ("agent", "Let me repeat that 3/0.04 .46. I'm done a little"),
    )
    read_back = tr.segments[2]
    tr = replace(
        tr,
        segments=(*tr.segments, Segment("agent", read_back.end + 3.0, read_back.end + 3.5, "Could", ())),
    )
    spans = find_pii(tr, CONFIG)
    assert texts(redact_transcript(tr, spans))[2] == "Let me repeat [PHONE]"
    tails = [(s.entity, s.start, s.end) for s in spans if s.speaker == "agent" and not s.words]
    assert tails == [("PHONE_NUMBER", read_back.end, read_back.end + 3.0)]


def test_a_number_word_beside_a_span_takes_the_garbled_words_between() -> None:
    # whisper base's "輪 一 輪 阿 一 球 吧 五 二" for a 身份证 number read out: detection's span starts at
    # 阿 (unsure), widening stops at 輪 (no digit), and the 一 before it is a digit of the number
    out = _redacted(
        ("agent", "请问 您的 身份证 号码 是 多少？"),
        ("caller", "輪/0.48 一/0.17 輪/0.9 阿/0.21 一/0.07 球/0.12 吧/0.12 五/0.47 二/0.91 三 二 二"),
    )
    assert out[1] == "輪 [ID]"
    # in one breath only (not past a pause), and not beside an address ("两次" is a complaint's)
    out = _redacted(
        ("caller", "我 的 手机号 是 幺三八 零零幺三 八零零零"),
        ("caller", "打 了 两 次 了"),
    )
    assert out == ["我 的 手机号 是 [PHONE]", "打 了 两 次 了"]
    out = _redacted(("caller", "I called two times, I live at 14 Elm Street"))
    assert out == ["I called two times, I live at [ADDRESS]"]
