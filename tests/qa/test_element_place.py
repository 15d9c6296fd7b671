"""The sentence model alone hears a thanks for the call only in the closing's own place (`qa.element_place`):
the agent's last two turns, and from the offer of further help on. The words are tiny.en's first decodes of
held-out J-036, G-023 and I-021, each word's confidence as decoded and the turns' start times as heard (a
word every 0.3 s; the packed words as whisper stamped them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.checks import CheckResult, run_checks
from qa.element_evidence import ElementJudge
from qa.elements import BY_MEANING
from qa.exceptions import ScriptError
from qa.intent_model import IntentModel
from qa.script import ElementPlace, load_script
from qa.second_reading import sure_missing
from tests.qa.helpers import INTENT_THRESHOLD, said
from transcription.recognizer import Segment, Speaker, Transcript

Turn = tuple[Speaker, float, str]

# Held-out J-036 (a closing without a thanks): the agent comes back from a hold 25 s into a 47 s call.
J036: tuple[Turn, ...] = (
    (
        "agent",
        0.0,
        "Good/0.93 evening,/0.97 Norbury/0.22 Letting's/0.32 customer/0.78 line,/0.96 Imogen/0.40"
        " speaking./0.59 What/0.97 are/0.99 you/0.99 ringing/0.87 about?/0.99",
    ),
    ("caller", 6.6, "My/0.32 internet/0.50 is/0.09 locked/0.24 out/0.89"),
    ("agent", 10.44, "Who's/0.66 name/0.96 is/0.99 the/0.88 policy/0.82 under?/0.97"),
    ("caller", 12.94, "It's/0.88 pretty/0.42 hard/0.11 to/0.34 see/0.88 this./0.47"),
    (
        "agent",
        14.8,
        "I'm/0.97 going/1.00 to/0.99 check/0.99 with/0.99 the/0.74 network/0.67 team./0.99 Stay/1.00"
        " on/1.00 the/1.00 line/1.00 for/0.99 me./1.00",
    ),
    ("agent", 24.78, "Thanks/0.99 for/1.00 hanging/0.99 on./0.99 I/1.00 found/0.79 the/0.92 problem./1.00"),
    (
        "agent",
        28.23,
        "Is/0.76 any/0.96 of/1.00 this/0.99 going/0.99 in/0.98 or/0.43 am/0.99 I/0.97 talking/0.99"
        " to/1.00 a/0.99 wall?/0.99 The/0.97 rest/1.00 of/1.00 your/1.00 tablets/0.98 will/1.00 be/1.00"
        " ready/1.00 for/1.00 collection/0.95 after/0.98 two./0.80",
    ),
    (
        "agent",
        39.37,
        "Anything/0.98 else/1.00 you'd/0.97 like/1.00 to/1.00 go/1.00 over/1.00 before/1.00 we/1.00"
        " finish?/1.00",
    ),
    ("caller", 43.13, "you've/0.88 done/0.98 me/0.92 loud/0.19 now./0.45"),
    ("agent", 45.47, "Have/0.99 a/1.00 restful/0.94 weekend,/0.98 bye./0.87"),
)

# Held-out G-023 (a full closing): the thanks cut into two turns after the offer, the third-last of them.
G023_OPENING: Turn = (
    "agent",
    0.0,
    "Hello/0.64 and/0.89 welcome./0.99 I'm/0.85 Odette./0.41 What/0.90 seems/0.75 to/0.96 be/0.75 up?/0.95",
)
G023_OFFER: Turn = (
    "agent",
    19.6,
    "Anything/0.96 more/0.98 I/0.99 can/1.00 look/0.98 into/0.99 on/0.98 your/0.98 behalf?/0.99",
)
G023_END: tuple[Turn, ...] = (
    ("caller", 22.83, "that's/0.64 all/0.99 for/0.96 now,/0.96"),
    ("agent", 24.58, "We/0.85 are/0.69 grateful/1.00"),
    ("agent", 25.6, "You've/0.42 got/0.96 in/0.92 touch/1.00 with/0.99 Kingfisher/0.50 Broadband./0.36"),
    ("caller", 28.51, "right/0.88 you/0.27 are,/0.59 see/0.98 you./0.99"),
    ("agent", 30.48, "I'm/0.10 still/0.47 next/0.97 time./0.99 Goodbye,/0.66 Porto/0.15 May./0.43"),
)


def _closing(turns: tuple[Turn, ...], company: str, agent: str, intents: IntentModel) -> CheckResult:
    segments = tuple(said(*t, step=0.3) for t in turns)
    return _check(segments, company, agent, intents)


def _check(segments: tuple[Segment, ...], company: str, agent: str, intents: IntentModel) -> CheckResult:
    transcript = Transcript(segments, segments[-1].end + 1.0)
    script = load_script(None, company=company, agent_name=agent)
    return run_checks(transcript, script, judge=ElementJudge(intents, INTENT_THRESHOLD))["closing"]


def test_a_thanks_for_the_wait_on_coming_back_from_hold_is_no_thanks_for_the_call(
    intents: IntentModel,
) -> None:
    # Read alone, the model is sure it is a thanks for the call: in the closing window it made a certain
    # PASS.
    hanging = intents.read_elements(["Thanks for hanging on."])[0]["thanks"]
    assert hanging.probability >= INTENT_THRESHOLD and hanging.certain
    result = _closing(J036, "Norbury Lettings", "Imogen", intents)
    assert result.state == "fail" and sure_missing(result) == ["thanks"], result.reason


def test_a_thanks_heard_by_meaning_after_the_offer_counts_though_two_turns_follow(
    intents: IntentModel,
) -> None:
    result = _closing((G023_OPENING, G023_OFFER, *G023_END), "Kingfisher Broadband", "Odette", intents)
    thanks = next(e for e in result.elements if e.name == "thanks")
    assert thanks.found and thanks.note == BY_MEANING, result.reason
    assert thanks.evidence is not None and thanks.evidence.text == "We are grateful"
    # Without the offer heard, the same sentence is not in the agent's last two turns: out of place.
    no_offer: Turn = ("agent", 19.6, "I've/0.96 booked/0.98 the/0.99 engineer/1.00 for/0.98 Tuesday./0.99")
    result = _closing((G023_OPENING, no_offer, *G023_END), "Kingfisher Broadband", "Odette", intents)
    assert "thanks" in result.missing, result.reason


def test_words_written_packed_after_the_thanks_make_no_turn(intents: IntentModel) -> None:
    # Held-out I-021's last turns: whisper wrote "and I'll see you in the next video" into no time after the
    # thanks, which the phrase list matches only weakly ("thanks for contacting" at 81) and the model reads
    # surely. Counted as a turn, it would put the thanks third-last, out of the closing's place.
    packed = said(
        "agent",
        55.2,
        "and/0.01 I'll/0.11 see/0.42 you/0.96 in/0.11 the/0.43 next/0.91 video./0.48",
        step=0.02,
    )
    segments = (
        said("agent", 0.0, "Go/0.23 on/0.96 then,/0.87 out/0.35 with/0.74 it./0.90", step=0.3),
        said(
            "agent",
            46.98,
            "I'm/0.98 all/0.77 under/0.22 the/0.33 threshold/0.29 in/0.19 that/0.28 no/0.93 charge./0.98",
            step=0.3,
        ),
        said("caller", 49.83, "Right,/0.89 it's/0.55 tomorrow./0.72", step=0.3),
        said(
            "agent",
            52.16,
            "And/0.86 you're/0.60 so/0.84 much/1.00 for/0.64 contacting/0.82 Castlegate/0.03 Opticians./0.12",
            step=0.3,
        ),
        packed,
        said("caller", 56.27, "Right,/0.81 don't/0.65 buy/0.49 that/0.24 you/0.71 do./0.47", step=0.3),
        said("agent", 59.1, "Keep/0.67 well,/0.64 bye/0.90 bye./0.56", step=0.3),
    )
    result = _check(segments, "Castlegate Opticians", "Ruth", intents)
    thanks = next(e for e in result.elements if e.name == "thanks")
    assert thanks.found and thanks.note == BY_MEANING, result.reason


def test_the_packaged_thanks_has_its_place_after_the_offer() -> None:
    thanks = next(e for e in load_script(None).checks["closing"].elements if e.name == "thanks")
    assert thanks.belongs == ElementPlace(last_turns=2, after="offer_help")


@pytest.mark.parametrize(
    ("place", "error"),
    [("{last_turns: 2, after: goodbye}", "listed before"), ("{last_turns: 0}", "at least 1")],
)
def test_a_place_must_follow_an_element_listed_before_and_keep_a_turn(
    tmp_path: Path, place: str, error: str
) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(
        "id: x\nversion: 1\nchecks:\n  closing:\n    window: {last_turns: 3}\n    elements:\n"
        f"      thanks: {{phrases: [thanks for calling], belongs: {place}}}\n"
        "      goodbye: {phrases: [goodbye]}\n"
    )
    with pytest.raises(ScriptError, match=error):
        load_script(script)


# Held-out J-035 (a closing without a thanks), first reading: the resolution turn garbled before the offer,
# the offer's own first words heard unsurely, the goodbye turn heard well enough.
J035: tuple[Turn, ...] = (
    ("agent", 0.0, "Right,/0.13 what/0.89 now?/0.80"),
    ("caller", 3.04, "The/0.13 coach/0.70 left/0.97 20/0.91 minutes/0.97 early/0.23"),
    (
        "agent",
        13.46,
        "I/0.96 can/0.99 give/0.56 a/0.81 refund/0.86 on/0.99 the/0.90 ticket,/0.46 but/0.88 I/0.99 can/1.00"
        " move/0.95 you/0.91 on/0.40 top/0.28 of/0.52 my/0.68 wrong/0.53 service/0.81 for/0.96 three./0.70",
    ),
    ("caller", 19.3, "Right,/0.97 okay/0.77 man./0.46"),
    (
        "agent",
        22.08,
        "I/0.96 can/0.98 come/0.84 in/0.71 the/0.81 nearest/0.83 last/0.12 quarter,/0.37 give/0.08 it/0.77"
        " three/0.08 nays/0.53 and/0.76 one./0.72",
    ),
    ("caller", 26.18, "Lovely,/0.21 you've/0.77 drawn/0.47 in/0.19 it./0.98"),
    ("agent", 28.51, "Can/0.38 I/0.25 lend/0.22 a/0.56 hand/0.62 on/0.99 anything/0.97 besides?/0.47"),
    ("caller", 31.83, "No,/0.35 you've/0.94 done/0.99 me/0.95 proud/0.91 to/0.25 have./0.53"),
)


def test_a_turn_garbled_before_the_offer_doubts_a_missing_thanks_without_leaning_it_pass(
    intents: IntentModel,
) -> None:
    result = _closing(
        (*J035, ("agent", 34.81, "Have/0.84 a/0.99 mess/0.35 for/0.66 leaking,/0.46 bye!/0.70")),
        "Ashdown Broadband",
        "Fergus",
        intents,
    )
    assert result.missing == ["thanks"] and result.state == "uncertain", result.reason
    assert any("garbled stretch" in d for d in result.doubts)
    assert not result.passed
    # Garbled where the thanks belongs, after the offer, it may be the thanks lost: the lean is PASS.
    lost = "Have/0.84 a/0.99 mess/0.35 with/0.21 leaking,/0.12 for/0.18 bye!/0.70"
    result = _closing((*J035, ("agent", 34.81, lost)), "Ashdown Broadband", "Fergus", intents)
    assert result.missing == ["thanks"] and result.passed, result.reason
