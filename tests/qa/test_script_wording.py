"""Everyday wordings of the English script's elements (qa/scripts/en.yaml), heard clearly: each is worded as
no phrase list had it before the script version named in its test."""

from __future__ import annotations

import pytest

from qa.checks import run_checks
from qa.script import load_script
from tests.qa.helpers import Turn, make_transcript


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        (
            "Thanks for getting in touch with Northwind Energy, Dana at your service.",
            ["Anything further I can help with?", "Thanks for reaching out, talk to you soon."],
        ),
        (
            "Hi, it's Dana at Northwind Energy.",
            [
                "What else can I help you with?",
                "Thanks for ringing Northwind Energy, enjoy the rest of your day.",
            ],
        ),
        (
            "Thank you for ringing Northwind Energy, you're talking to Dana.",
            ["Will that be all?", "Thank you for getting in touch, have a great weekend."],
        ),
    ],
)
def test_everyday_wordings_of_the_script_elements_are_heard_clearly(opening: str, closing: list[str]) -> None:
    # Worded as no phrase list had them before (script en-default v4)
    turns: list[Turn] = [("agent", 0.5, 4.0, opening)]
    turns += [("agent", 30.0 + 4 * i, 33.0 + 4 * i, text) for i, text in enumerate(closing)]
    checks = run_checks(
        make_transcript(turns), load_script(None, company="Northwind Energy", agent_name="Dana")
    )
    for name in ("greeting", "closing"):
        assert (checks[name].passed, checks[name].state) == (True, "pass"), checks[name].reason


@pytest.mark.parametrize(
    "thanks",
    [
        "Thanks for sticking with Northwind Energy, bye.",
        "Thank you for banking with Northwind Energy, goodbye.",
        "Thank you for trusting Northwind Energy, take care.",
    ],
)
def test_a_thanks_that_names_the_company_is_heard_clearly_whatever_its_verb(thanks: str) -> None:
    # script en-default v5: on v4 these matched "thank(s) for calling Northwind Energy" at 84-86, and at 84
    # the thanks was "heard with weak evidence" although every word was heard clearly
    turns: list[Turn] = [("agent", 0.5, 4.0, "Hello, Northwind Energy, Dana speaking.")]
    turns += [("agent", 30.0, 33.0, "Is there anything else I can help with?"), ("agent", 34.0, 37.0, thanks)]
    checks = run_checks(
        make_transcript(turns), load_script(None, company="Northwind Energy", agent_name="Dana")
    )
    closing = checks["closing"]
    assert (closing.passed, closing.state) == (True, "pass"), closing.reason
    found = {e.name: e.evidence for e in closing.elements}["thanks"]
    assert found is not None and found.score == 100.0, found


def test_a_thanks_without_the_company_is_not_read_into_one() -> None:
    # the slot takes one or two words before the company's name, not a whole other sentence
    turns: list[Turn] = [("agent", 0.5, 4.0, "Hello, Northwind Energy, Dana speaking.")]
    turns += [
        ("agent", 30.0, 33.0, "Is there anything else I can help with?"),
        ("agent", 34.0, 37.0, "Okay then, take care, bye."),
    ]
    checks = run_checks(
        make_transcript(turns), load_script(None, company="Northwind Energy", agent_name="Dana")
    )
    assert (checks["closing"].state, checks["closing"].missing) == ("fail", ["thanks"]), checks[
        "closing"
    ].reason
