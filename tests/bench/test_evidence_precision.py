"""The evidence bench counts a hit right only over a turn of its own kind."""

from __future__ import annotations

from types import SimpleNamespace

from bench.evidence_precision import score_call, turn_kinds

POOLS = SimpleNamespace(
    FORBIDDEN={"rude": ("Stop interrupting me.",), "blame_customer": ("You typed it wrong.",)},
    EMPATHY=("I'm so sorry about that.",),
)
TURNS = [
    {"speaker": "agent", "start": 0.5, "end": 3.0, "text": "Hello, this is Ann."},
    {"speaker": "agent", "start": 4.0, "end": 5.5, "text": "I'm so sorry about that."},
    {"speaker": "caller", "start": 6.0, "end": 7.0, "text": "Stop interrupting me."},
    {"speaker": "agent", "start": 8.0, "end": 9.5, "text": "Stop interrupting me."},
]


def test_turns_are_marked_from_the_pools_and_only_on_the_agent_leg() -> None:
    assert turn_kinds(TURNS, POOLS) == [("empathy", 4.0, 5.5), ("rude", 8.0, 9.5)]


def test_a_hit_is_right_only_over_a_turn_of_its_category() -> None:
    result = {
        "violations": [
            {"category": "rude", "state": "uncertain", "start": 8.2, "end": 9.9},  # the remark
            {"category": "rude", "state": "uncertain", "start": 4.1, "end": 5.4},  # the apology
            {"category": "blame_customer", "state": "fail", "start": 8.0, "end": 9.5},  # wrong category
        ],
        "empathy_evidence": [{"start": 0.6, "end": 2.0}],  # over the greeting
    }
    counts = score_call(result, turn_kinds(TURNS, POOLS))
    assert counts["hits"] == {"uncertain:right": 1, "uncertain:wrong": 1, "fail:wrong": 1, "empathy:wrong": 1}
    assert counts["turns"] == {"remark:found": 1, "empathy:missed": 1}


def test_a_certain_hit_of_a_guessed_kind_is_also_counted_over_a_remark_of_any_kind() -> None:
    result = {
        "violations": [
            {"category": "blame_customer", "state": "fail", "start": 8.0, "end": 9.5, "category_sure": False},
            {
                "category": "rude",
                "state": "fail",
                "start": 4.1,
                "end": 5.4,
                "category_sure": False,
            },  # apology
        ]
    }
    counts = score_call(result, turn_kinds(TURNS, POOLS))
    assert counts["hits"] == {"fail:wrong": 2, "guessed:right": 1, "guessed:wrong": 1}
