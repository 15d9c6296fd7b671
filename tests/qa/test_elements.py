"""How the agent's name is heard as a self-introduction (qa/elements.py, `agent_element`), on tiny.en's first
decodes of a clean neural agent voice (piper; greet's own probe calls, names given as hints)."""

from __future__ import annotations

from qa.checks import CheckResult, run_checks
from qa.elements import NAME_ONLY, NAME_OPENS
from qa.script import load_script
from transcription.recognizer import Segment, Transcript, Word

# "Hello, Bronagh at Sable Finance, how may I help you?" and "Good evening and welcome to Larkspur Mobile,
# Dwayne on the line." (the last word dropped): the name, but no frame the script lists around it.
OPENINGS = (
    (
        "Sable Finance",
        "Bronagh",
        "Hello,/0.75 Bronagh/0.05 at/0.62 Sable/0.46 Finance,/0.91 how/0.87 may/0.97",
    ),
    (
        "Larkspur Mobile",
        "Dwayne",
        "Good/0.93 evening/1.00 and/0.89 welcome/0.99 to/0.99 Larkspur/0.46"
        " Mobile,/0.49 Dwayne/0.43 on/0.72 the/0.94",
    ),
)
CLOSING = "Is/0.9 there/0.9 anything/0.9 else/0.9 thank/0.9 you/0.9 for/0.9 calling/0.9 goodbye/0.9"


def _said(start: float, words: str) -> Segment:
    pairs = [w.rsplit("/", 1) for w in words.split()]
    timed = tuple(Word(t, start + 0.4 * i, start + 0.4 * (i + 1), float(c)) for i, (t, c) in enumerate(pairs))
    return Segment("agent", start, timed[-1].end, " ".join(t for t, _ in pairs), timed, 0.8)


def _greeting(company: str, agent: str, *turns: tuple[float, str]) -> CheckResult:
    segments = (*(_said(s, w) for s, w in turns), _said(30.0, CLOSING))
    script = load_script(None, company=company, agent_name=agent)
    return run_checks(Transcript(segments, 40.0), script)["greeting"]


def _self_id_note(result: CheckResult) -> str:
    return next(e.note for e in result.elements if e.name == "self_id")


def test_the_agent_s_name_in_their_opening_turn_is_their_introduction() -> None:
    for company, agent, words in OPENINGS:
        result = _greeting(company, agent, (0.0, words))
        assert (result.passed, result.state) == (True, "pass"), result.reason
        assert _self_id_note(result) == NAME_OPENS


def test_the_agent_s_name_alone_in_a_later_turn_is_still_doubted() -> None:
    # "Hello, Sable Finance, how may I help?" then, 9 s in, the name in a sentence of its own
    result = _greeting(
        "Sable Finance",
        "Bronagh",
        (0.0, "Hello,/0.75 Sable/0.46 Finance,/0.91 how/0.87 may/0.97 I/1.00 help?/1.00"),
        (9.0, "Okay,/0.9 Bronagh/0.3 will/0.9 check/0.9 that/0.9"),
    )
    assert (result.passed, result.state) == (True, "uncertain"), result.reason
    assert _self_id_note(result) == NAME_ONLY


def test_a_frame_around_a_word_of_the_company_is_no_introduction() -> None:
    # Held-out F (piper at pace 1.2), "Afternoon, this is Dunmore Lettings customer care, go ahead." and no
    # self-introduction: "this is <Name>" took "Dunmore", and the hinted recogniser wrote the agent's name
    # over "That's rotten luck" 8 s in, which vouched for the frame: a certain PASS. The name heard alone in
    # a later turn is what is left, doubted.
    result = _greeting(
        "Dunmore Lettings",
        "Radek",
        (
            0.8,
            "Afternoon,/0.68 this/0.97 is/0.61 Dunmore/0.45 Letting's/0.33 customer/0.77 care./0.99 Go/0.96",
        ),
        (8.7, "That's/0.96 Radek./0.04 I/0.94 really/0.98 do/1.00 apologize./0.98"),
    )
    assert (result.passed, result.state) == (True, "uncertain"), result.reason
    assert _self_id_note(result) == NAME_ONLY
