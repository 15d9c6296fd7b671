"""Two readings of one check's window, one verdict: what two decodings heard together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qa.checks import run_checks
from qa.element_evidence import ElementJudge
from qa.intents import Intent
from qa.metrics import Activity
from qa.script import load_script
from qa.second_reading import corroborated, heard, second_opinion, sure_missing
from tests.qa.helpers import INTENT_THRESHOLD, Turn, make_transcript
from transcription.recognizer import Segment, Transcript, Word

CLOSING: list[Turn] = [
    ("agent", 30.0, 32.0, "Is there anything else I can help you with?"),
    ("caller", 32.5, 33.5, "No, thanks."),
    ("agent", 34.0, 37.0, "Thank you for calling Northwind Energy, have a nice day, goodbye."),
]
SCRIPT = load_script(None, company="Northwind Energy", agent_name="Dana")
T = SCRIPT.threshold


def _reading(greeting: str, conf: float = 0.95, *, then: str = "") -> Transcript:
    """A reading whose greeting turn (and the agent's next turn `then`, 6 s in) is heard at word confidence
    `conf` (the closing always clearly)."""
    turns: list[Turn] = [("agent", 0.5, 4.0, greeting)]
    if then:
        turns.append(("agent", 6.0, 7.0, then))
    opening = make_transcript(turns, conf=conf).segments
    return Transcript((*opening, *make_transcript(CLOSING).segments), 38.0)


def _unsure(start: float, words: str) -> Segment:
    """One agent segment from "word/confidence" pairs, a word every 0.4 s."""
    pairs = [w.rsplit("/", 1) for w in words.split()]
    timed = tuple(Word(t, start + 0.4 * i, start + 0.4 * (i + 1), float(c)) for i, (t, c) in enumerate(pairs))
    return Segment("agent", start, timed[-1].end, " ".join(t for t, _ in pairs), timed, 0.5)


def test_two_readings_that_each_heard_every_element_weakly_make_a_certain_pass() -> None:
    # The first reading (tiny.en) and the second (whisper base) both found the whole greeting, each unsure
    # of its words: two models seldom find the same phrase in a window where it was not said.
    first = run_checks(_reading("Hello Northwind Energy.", conf=0.3, then="Dana."), SCRIPT)["greeting"]
    second = run_checks(_reading("Hello Northwind Energy.", conf=0.35, then="Dana."), SCRIPT)["greeting"]
    assert (first.state, second.state) == ("uncertain", "uncertain") and first.passed and second.passed
    # the salutation heard unsurely, the agent's name alone (in the agent's second turn; in the first it
    # is their introduction, qa.elements.NAME_OPENS); the company is a name hint, judged by its
    # text, not its confidence (qa.checks.presence_doubt)
    assert heard(first, T) == {"salutation": "unsure", "company": "clear", "self_id": "unsure"}
    both = second_opinion(first, second, threshold=T)
    assert (both.passed, both.state, both.doubts) == (True, "pass", [])
    assert "salutation, self_id heard by both decodings" in both.reason and both.confidence >= 0.9


def test_each_element_heard_clearly_by_one_reading_or_the_other_makes_a_certain_pass() -> None:
    first = run_checks(_reading("Hello Northwind Energy, how can I help?"), SCRIPT)["greeting"]
    heard_name = Transcript((_unsure(0.5, "um/0.2 so/0.3 dana/0.9 speaking/0.9"),), 38.0)
    second_transcript = Transcript((*heard_name.segments, *make_transcript(CLOSING).segments), 38.0)
    second = run_checks(second_transcript, SCRIPT)["greeting"]
    assert first.state == "fail" and first.missing == ["self_id"]
    assert heard(second, T)["self_id"] == "clear" and not second.passed
    both = second_opinion(first, second, threshold=T)
    assert (both.passed, both.state) == (True, "pass")
    assert [e.name for e in both.elements if e.found] == ["salutation", "company", "self_id"]
    assert "self_id heard clearly by the second decoding" in both.reason


def test_an_element_one_reading_heard_weakly_and_the_other_missed_stays_in_doubt() -> None:
    first = run_checks(_reading("Hello Northwind Energy, how can I help?"), SCRIPT)["greeting"]
    second = run_checks(_reading("Hello Northwind Energy.", then="Dana."), SCRIPT)["greeting"]
    assert heard(second, T)["self_id"] == "unsure"  # the agent's name heard alone, after the opening turn
    assert corroborated(first, second, T) is None
    leaning = second_opinion(first, second, threshold=T)
    assert leaning.passed and leaning.state == "uncertain"


def test_another_name_heard_by_both_readings_stays_in_doubt() -> None:
    # An introduction by another name is a doubt about what the agent said: no count of readings settles it.
    first = run_checks(_reading("Hello Northwind Energy, my name is Laura."), SCRIPT)["greeting"]
    second = run_checks(_reading("Hello Northwind Energy, my name is Laura."), SCRIPT)["greeting"]
    assert heard(first, T)["self_id"] == heard(second, T)["self_id"] == "other"
    assert second_opinion(first, second, threshold=T).state == "uncertain"


def test_only_the_required_elements_must_be_heard() -> None:
    first = run_checks(_reading("Hello Northwind Energy, how can I help?"), SCRIPT)["greeting"]
    assert corroborated(first, first, T) is None
    assert corroborated(first, first, T, required={"salutation", "company"}) == []


def test_words_both_readings_heard_that_only_nearly_match_a_phrase_are_not_corroborated() -> None:
    # "thank for dwelling" is no "thanks for calling" however many decoders write it: a near-threshold
    # match is a doubt about the words, not about the recogniser.
    closing: list[Turn] = [
        ("agent", 30.0, 32.0, "Anything else I can help with?"),
        ("agent", 34.0, 37.0, "Thank for dwelling, goodbye."),
    ]
    first = run_checks(make_transcript([("agent", 0.5, 4.0, "Hello."), *closing]), SCRIPT)["closing"]
    assert first.state == "uncertain" and heard(first, T)["thanks"] == "doubtful", first.reason
    assert second_opinion(first, first, threshold=T).state == "uncertain"


def test_without_the_threshold_readings_are_combined_as_whole_verdicts() -> None:
    first = run_checks(_reading("Hello Northwind Energy. Dana.", conf=0.3), SCRIPT)["greeting"]
    assert second_opinion(first, first).state == "uncertain"


def test_an_element_found_weakly_in_a_failed_reading_is_not_taken_as_heard_clearly() -> None:
    # Seen on a probe call with no offer of help: the first reading failed on the thanks and took
    # "anything" in a garbled "you'll see anything of your guys" for the offer, a match at the threshold
    # that its FAIL did not rest on (so no doubt named it); the second reading heard the thanks and no
    # offer. That offer was never heard clearly: the two readings made a certain PASS of it together.
    def closing(*turns: str) -> Transcript:
        timed: list[Turn] = [("agent", 0.5, 3.0, "Hello.")]
        timed += [("agent", 28.0 + 4 * i, 30.0 + 4 * i, text) for i, text in enumerate(turns)]
        return make_transcript(timed)

    garbled = closing("You will see anything of your guys.", "Take care, goodbye.")
    first = run_checks(garbled, SCRIPT)["closing"]
    assert (first.state, first.missing) == ("fail", ["thanks"]) and not first.doubts
    assert heard(first, T)["offer_help"] == "doubtful"
    second = closing("You will see it in a few days.", "Thanks for choosing Northwind Energy.", "Bye.")
    both = second_opinion(first, run_checks(second, SCRIPT)["closing"], threshold=T)
    assert (both.state, both.passed) == ("fail", False), both.reason


# Held-out G's opening ("Good afternoon, Desmond with Hollybank Care Homes, what's gone wrong?") as tiny.en
# heard it with the names as hints, and as whisper base heard it without them: "Bellman" for the name, the
# only unsure word where the introduction belongs, so the second reading finds it missing beyond doubt.
# (Set C's "Morning, it's in tellin' at orbit, Felicom." for "Morning, this is Helen at Orbit Telecom", the
# case this was first written for, is now doubted by the second reading itself: three unsure words where
# the introduction belongs, `qa.opening_turn`.)
HOLLYBANK = load_script(None, company="Hollybank Care Homes", agent_name="Desmond")
HINTED_OPENING = (
    "Good/0.32 afternoon,/0.994 men/0.743 and/0.52 women,/0.807 Harley/0.399 bank/0.015 care/0.913"
    " homes,/0.297 work's/0.369 gone/0.788 wrong./0.996"
)
UNHINTED_OPENING = (
    "Good/0.427 afternoon,/0.984 Bellman/0.375 with/0.847 Harley/0.462 -Bank/0.726 care/0.197 home,/0.491"
    " what's/0.846 gone/0.319 wrong?/1.0"
)


def _opening(words: str) -> Transcript:
    return Transcript((_unsure(0.0, words), *make_transcript(CLOSING).segments), 38.0)


def test_a_name_the_unhinted_second_reading_misses_does_not_refute_a_lean_pass() -> None:
    first = run_checks(_opening(HINTED_OPENING), HOLLYBANK)["greeting"]
    second = run_checks(_opening(UNHINTED_OPENING), HOLLYBANK)["greeting"]
    assert (first.state, first.passed, first.missing) == ("uncertain", True, ["self_id"]), first.reason
    assert (second.state, second.missing) == ("fail", ["self_id"]), second.reason
    both = second_opinion(first, second, threshold=T, by_name={"company", "self_id"})
    assert (both.state, both.passed) == ("uncertain", True), both.reason
    # an element heard by no name, missing beyond doubt in the second reading, does refute it
    no_names = second_opinion(first, second, threshold=T)
    assert (no_names.state, no_names.passed) == ("uncertain", False), no_names.reason


def test_a_first_fail_does_not_refute_a_second_reading_that_heard_what_it_lacked() -> None:
    # Closing's probe (espeak): the first reading heard the offer of help unsurely and lost the thanks and
    # the goodbye; whisper base heard those and guessed the offer instead
    garbled_offer = "In/0.20 the/0.38 rain/0.12 if/0.15 you/0.81 need/0.27 more/0.68 from/0.55 me./1.00"
    opening = make_transcript([("agent", 0.5, 4.0, "Hello Northwind Energy, Dana speaking.")]).segments
    weak_offer = _unsure(30.0, "Is/0.45 there/0.45 anything/0.45 else/0.45")
    first = run_checks(
        Transcript((*opening, weak_offer, _unsure(34.0, "okay/0.95 then/0.95")), 38.0), SCRIPT
    )["closing"]
    second = run_checks(
        Transcript((*opening, _unsure(30.0, garbled_offer), *make_transcript(CLOSING[2:]).segments), 38.0),
        SCRIPT,
    )["closing"]
    assert (first.state, sorted(first.missing)) == ("fail", ["goodbye", "thanks"]), first.reason
    assert (second.state, second.passed, second.missing) == ("uncertain", True, ["offer_help"]), second.reason
    both = second_opinion(first, second, threshold=T)
    assert (both.state, both.passed) == ("uncertain", True), both.reason


class _ReadsSalutation:
    """The sentence model as it read whisper base's "How can I make your name, you know?": a little
    (0.21) like a salutation, enough to doubt its absence (`qa.element_evidence.DOUBT_PROBABILITY`)."""

    def read_elements(self, texts: Sequence[str]) -> list[dict[str, Intent]]:
        return [{"salutation": Intent("salutation", 0.21 if "you know" in t else 0.01)} for t in texts]


def test_two_fails_resting_on_different_elements_are_no_certain_fail() -> None:
    # Held-out F (espeak en-gb-x-rp): "Good evening, Dunmore Lettings, my name's Emeka, how can I make your
    # day easier?". Tiny.en, hinted, wrote only the names ("Good evening" lost without a trace: a certain
    # missing salutation; "Dunmore" alone a doubt of the company's absence); whisper base, unhinted, heard
    # "Don't leave me. Don't bother at me." where the salutation and company belong, and the model read its
    # question a little as a salutation (a doubt).
    dunmore = load_script(None, company="Dunmore Lettings", agent_name="Emeka")
    rest = (
        "I/0.06 make/0.01 your/0.84 name/0.93 here,/0.55 gosh,/0.55 what/0.85 is/0.14 that/0.74 must/0.85"
        " be?/0.79 I'm/0.87 so/0.99 sorry./0.58"
    )
    names_only = _unsure(0.0, "Dunmore,/0.04 Emeka,/0.00")
    hinted = Transcript((names_only, _unsure(3.2, rest), *make_transcript(CLOSING).segments), 38.0)
    from_the_name = (
        "My/0.95 name/0.99 is/0.84 Remaker./0.32 How/0.98 can/0.99 I/0.97 make/0.99 your/0.61 name,/0.99"
    )
    unhinted = _opening(
        f"Don't/0.48 leave/0.31 me./0.77 Don't/0.72 bother/0.74 at/0.34 me./0.41 {from_the_name}"
        " you/0.83 know?/0.98"
    )
    judge = ElementJudge(_ReadsSalutation(), INTENT_THRESHOLD)
    first = run_checks(hinted, dunmore, judge=judge)["greeting"]
    assert (first.state, sure_missing(first)) == ("fail", ["salutation"]), first.missing_doubts
    # the second reading doubts the company: unsure words where it belongs (`qa.opening_turn`)
    second = run_checks(unhinted, dunmore, judge=judge)["greeting"]
    assert (second.state, sure_missing(second)) == ("uncertain", []), second.missing_doubts
    # Had whisper base lost those words too, its FAIL would be certain on its own, on the company, an
    # element the first reading doubts: no element's absence heard clearly twice.
    cut = run_checks(_opening(f"{from_the_name} you/0.83 know?/0.98"), dunmore, judge=judge)["greeting"]
    assert (cut.state, sure_missing(cut)) == ("fail", ["company"]), cut.missing_doubts
    both = second_opinion(first, cut, threshold=T, by_name={"company", "self_id"})
    assert (both.state, both.passed) == ("uncertain", False), both.reason
    assert "each decoding finds another element missing beyond doubt" in both.reason
    # the same element missing beyond doubt in both readings is a FAIL heard clearly twice
    again = second_opinion(first, first, threshold=T, by_name={"company", "self_id"})
    assert (again.state, again.passed) == ("fail", False), again.reason


def _timed(words: Sequence[tuple[str, float, float]], end: float) -> Segment:
    """One agent segment from (word, start s, confidence) as decoded; each word ends where the next starts."""
    ends = [s for _, s, _ in words[1:]] + [end]
    timed = tuple(Word(t, s, e, c) for (t, s, c), e in zip(words, ends, strict=True))
    return Segment("agent", timed[0].start, end, " ".join(t for t, _, _ in words), timed, 0.5)


def test_speech_one_reading_left_without_words_and_the_other_heard_settles_a_missing_greeting() -> None:
    # Held-out G-007 (espeak en-us+Mike): the agent opened with "Uh-huh, carry on." and no greeting. The
    # hinted first decoding left 0.5-1.5 s without words, a doubt of every element's absence; whisper base
    # heard "Uh-huh, carry on." there, so the greeting was missing beyond doubt where it belongs.
    script = load_script(None, company="Wrenfield Removals", agent_name="Bartosz")
    asked = "What's/5.44/0.64 the/5.92/0.88 first/6.02/0.96 line/6.38/0.46 on/6.52/0.96 the/6.68/0.89"
    asked += " unrest/6.8/0.34 on/7.04/0.98 the/7.22/0.96 account?/7.34/0.92"
    question = _timed([(t, float(s), float(c)) for t, s, c in (w.split("/") for w in asked.split())], 7.74)
    carry_on = _timed(
        [("Uh", 0.51, 0.18), ("-huh,", 0.62, 0.55), ("carry", 1.02, 0.89), ("on.", 1.22, 0.99)], 1.5
    )
    closing = make_transcript(CLOSING).segments
    speech: Activity = {
        "agent": [(0.5, 1.5), (5.44, 7.74), (30.0, 32.0), (34.0, 37.0)],
        "caller": [(32.5, 33.5)],
    }
    first = run_checks(Transcript((question, *closing), 38.0), script, speech=speech)["greeting"]
    second = run_checks(Transcript((carry_on, question, *closing), 38.0), script, speech=speech)["greeting"]
    assert first.state == "uncertain" and first.missing == ["salutation", "company", "self_id"], first.reason
    assert all(" speech the recogniser left without words at 0.5" in d for d in first.missing_doubts)
    assert (second.state, sure_missing(second)) == ("fail", ["salutation", "company", "self_id"]), (
        second.reason
    )
    by_name = {"company", "self_id"}
    both = second_opinion(first, second, threshold=T, by_name=by_name)
    assert (both.state, both.passed) == ("fail", False), both.reason
    assert (
        "the first decoding left speech without words where the other heard salutation missing" in both.reason
    )
    assert second_opinion(second, first, threshold=T, by_name=by_name).state == "fail"
    # the speech lost by both readings stays a doubt; so does an element heard by name, which the unhinted
    # second decoding misses where it was said
    assert second_opinion(first, first, threshold=T, by_name=by_name).state == "uncertain"
    named = replace(second, elements=[e for e in second.elements if e.name != "salutation"])
    assert second_opinion(first, named, threshold=T, by_name=by_name).state == "uncertain"
