"""The agent's work number (工号) in a self-introduction: "您好，XX中心，1024号为您服务".

The Chinese seed script identifies the agent by work number, not by name. A fuzzy phrase match would take
1025 for 1024, so the introduction's frame is matched with a slot and the number compared exactly, in
canonical form (`qa.text`: 一零二四, 幺零二四 and １０２４ are all 1024).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.matching import Match, Token, best_match, match_at, normalize

OTHER_NUMBER = "an introduction, but not with the agent's work number"
NUMBER_ONLY = "the agent's work number heard without an introduction around it"
SPLIT_DIGITS = 2
"""Digit tokens before a frame that may still belong to its number (a recogniser writes "10 24号")."""


def find_work_number(
    phrases: Sequence[str], tokens: list[Token], threshold: float, number: str
) -> tuple[Match | None, str]:
    """(evidence, note) for an introduction with work number `number` among `tokens`; None when there is
    none. The note is "" for the number inside a frame matched at `threshold` (0–100), OTHER_NUMBER for a
    frame without it (another number, or a name), NUMBER_ONLY for the number heard with no frame around it."""
    wanted = "".join(normalize(number))
    frame = best_match(phrases, tokens, threshold=threshold) if phrases else None
    if frame is not None:
        said = says_number(tokens, frame.first_token, frame.last_token, wanted)
        return frame, "" if said else OTHER_NUMBER
    for index, token in enumerate(tokens):
        if token.text.isdigit() and says_number(tokens, index, index, wanted):
            return match_at(number, tokens, index, index, 100.0), NUMBER_ONLY
    return None, ""


def says_number(tokens: Sequence[Token], first: int, last: int, number: str) -> bool:
    """Whether tokens `first`..`last` (inclusive), with up to SPLIT_DIGITS digit tokens of the same segment
    before them, hold `number` whole, not inside a longer number."""
    begin = first
    while begin > max(0, first - SPLIT_DIGITS) and tokens[begin - 1].segment == tokens[first].segment:
        if not tokens[begin - 1].text.isdigit():
            break
        begin -= 1
    text = "".join(t.text for t in tokens[begin : last + 1])
    return re.search(rf"(?<![0-9a-z]){re.escape(number)}(?![0-9a-z])", text) is not None
