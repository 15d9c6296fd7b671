"""Where a missing greeting element belongs in the agent's opening turn (`qa.opening_turn`).

The openings are tiny.en's first decodes of held-out calls (names given as hints, so they come back near
zero however clearly said) with the word probabilities it wrote; here a word every 0.4 s.
"""

from __future__ import annotations

from qa.checks import CheckResult, run_checks
from qa.matching import tokenize_segments
from qa.opening_turn import element_place
from qa.script import load_script
from qa.second_reading import sure_missing
from tests.qa.helpers import said
from transcription.recognizer import Segment, Transcript

# Held-out C, said "Morning, this is Helen at Orbit Telecom, what can I sort out for you?": the
# introduction heard as unsure words between the salutation and the offer of help. Both recognisers lost
# it, and the greeting was a certain FAIL.
LOST_INTRODUCTION = (
    "Morning,/0.05 we've/0.47 been/0.97 sailing/0.45 at/0.36 orbit/0.10 fairly,/0.59 what/0.27 can/0.88"
    " I/0.84 talk/0.97 about?/0.65"
)
# Held-out C, said "Tandem Credit Union, hello, Marco speaking, how can I help?": the salutation lost between
# the company and the agent's name.
LOST_SALUTATION = (
    "Tandem/0.04 Credit/0.00 Union/0.93 on/0.04 the/0.68 law,/0.36 Marco/0.05 Tkin,/0.07 how/0.85 can/0.85"
    " I/0.97 tell?/0.42"
)
# Held-out A, said "Welcome to Lumen Insurance, what can I do for you today?": no introduction; the
# unsure words are the offer of help's.
NO_INTRODUCTION = (
    "Welcome/0.35 to/0.95 Lumen/0.42 Insurance./0.32 What/0.71 can/0.96 I/0.92 move/0.35 for/0.65 you/0.98"
    " from/0.26 May?/0.39"
)
# Held-out G, said "Sorry, I was still typing up a note from before." (the greeting came later).
NO_GREETING = (
    "Sorry,/0.19 I/0.95 want/0.24 to/0.66 be/0.52 typing/0.48 up/0.75 a/0.89 note/0.99 from/0.95 before/0.98"
)


def _said(words: str) -> Segment:
    return said("agent", 0.0, words)


def _greeting(company: str, agent: str, words: str) -> CheckResult:
    script = load_script(None, company=company, agent_name=agent)
    return run_checks(Transcript((_said(words),), 30.0), script)["greeting"]


def test_unsure_words_where_the_introduction_belongs_doubt_its_absence() -> None:
    result = _greeting("Orbit Telecom", "Helen", LOST_INTRODUCTION)
    assert (result.state, result.missing) == ("uncertain", ["company", "self_id"]), result.reason
    assert (
        "self_id: where it belongs in the opening turn, words were heard unsurely"
        " (“we've been sailing at orbit fairly”)"
    ) in result.doubts
    # no reading that doubts it can confirm a FAIL with another reading (`qa.second_reading`)
    assert sure_missing(result) == []
    # unsure words only in the offer of help say nothing of a missing introduction
    plain = _greeting("Lumen Insurance", "Luis", NO_INTRODUCTION)
    assert (plain.state, plain.missing) == ("fail", ["self_id"]), plain.reason


def test_unsure_words_between_the_found_elements_doubt_a_missing_salutation() -> None:
    result = _greeting("Tandem Credit Union", "Marco", LOST_SALUTATION)
    # the one element missing, where the rest was heard, in its own place heard unsurely: it leans PASS
    assert (result.state, result.passed, result.missing) == ("uncertain", True, ["salutation"]), result.reason
    assert (
        "salutation: where it belongs in the opening turn, words were heard unsurely (“on the law tkin”)"
        in (result.doubts)
    )


def test_an_opening_with_no_element_heard_has_no_place_for_one() -> None:
    # three words under 0.5, but nothing of a greeting heard: no place to say an element was lost in
    result = _greeting("Wrenfield Removals", "Zofia", NO_GREETING)
    assert (result.state, result.missing) == ("fail", ["salutation", "company", "self_id"]), result.reason
    assert element_place(tokenize_segments([_said(NO_GREETING)]), []) == []


def test_the_place_runs_to_the_offer_of_help_less_the_found_elements_words() -> None:
    tokens = tokenize_segments([_said(LOST_SALUTATION)])
    company, name = (0.0, 1.2), (2.4, 2.8)  # "Tandem Credit Union", "Marco"
    assert [t.text for t in element_place(tokens, [company, name])] == ["on", "the", "law", "tkin"]
    # "is" opening a sentence starts an offer of help; inside "this is" it is the introduction's
    said = tokenize_segments(
        [_said("Hello/0.9 this/0.4 is/0.5 gone/0.3 here./0.4 Is/0.9 there/0.9 more/0.9")]
    )
    assert [t.text for t in element_place(said, [(0.0, 0.4)])] == ["this", "is", "gone", "here"]
    # a Chinese turn has no such place: its offer of help is no English word
    chinese = tokenize_segments([_said("您/0.9 好/0.9 我/0.3 是/0.2 小/0.1 王/0.3")])
    assert element_place(chinese, [(0.0, 0.8)]) == []
