"""The agent's work number (工号) in a self-introduction: "您好，XX中心，1024号为您服务".

The Chinese seed script identifies the agent by work number, not by name. A fuzzy phrase match would take
1025 for 1024, so the introduction's frame is matched with a slot and the number compared exactly, in
canonical form (`qa.text`: 一零二四, 幺零二四 and １０２４ are all 1024). The number marked as a work
number ("1024号", "工号1024") is a self-introduction on its own, frame or not; a name in the frame
without the number ("我是小周") is not, as the seed script asks for the number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.matching import Match, Token, best_match, match_at, normalize

OTHER_NUMBER = "an introduction, but not with the agent's work number"
NUMBER_ONLY = "the agent's work number heard without an introduction around it"
BY_NAME = "introduced by name, without the work number the script asks for"
SPLIT_DIGITS = 2
"""Digit tokens before a frame that may still belong to its number (a recogniser writes "10 24号")."""
_MARKS = ("号",)
"""A token after the number that marks it as a work number."""
_LEADS = (("工", "号"), ("工", "号", "是"))
"""Tokens before the number that mark it as a work number."""


def find_work_number(
    phrases: Sequence[str], tokens: list[Token], threshold: float, number: str
) -> tuple[Match | None, str]:
    """(evidence, note) for an introduction with work number `number` among `tokens`; None when there is
    none. The note is "" for the number inside a frame matched at `threshold` (0–100) or marked as a work
    number (`_MARKS`, `_LEADS`), NUMBER_ONLY for the number heard unmarked with no frame around it,
    OTHER_NUMBER for a frame with another number in it, BY_NAME for a frame without any number (evidence
    given, but the element is not said: see `said_work_number`)."""
    wanted = "".join(normalize(number))
    frame = best_match(phrases, tokens, threshold=threshold) if phrases else None
    if frame is not None and says_number(tokens, frame.first_token, frame.last_token, wanted):
        return frame, ""
    bare: Match | None = None
    for index, token in enumerate(tokens):
        if not (token.text.isdigit() and says_number(tokens, index, index, wanted)):
            continue
        marked = _marked(tokens, index)
        if marked is not None:
            return match_at(number, tokens, *marked, 100.0), ""
        bare = bare or match_at(number, tokens, index, index, 100.0)
    if bare is not None:
        return bare, NUMBER_ONLY
    if frame is not None:
        heard = tokens[frame.first_token : frame.last_token + 1]
        return frame, OTHER_NUMBER if any(t.text.isdigit() for t in heard) else BY_NAME
    return None, ""


def said_work_number(evidence: Match | None, note: str) -> bool:
    """Whether `find_work_number`'s answer counts as the self-introduction said."""
    return evidence is not None and note != BY_NAME


def _marked(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """(first, last) token of the number at `index` with the mark that makes it a work number, or None."""
    segment = tokens[index].segment
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is not None and after.segment == segment and after.text in _MARKS:
        return index, index + 1
    for lead in _LEADS:
        before = tokens[max(0, index - len(lead)) : index]
        if tuple(t.text for t in before) == lead and all(t.segment == segment for t in before):
            return index - len(lead), index
    return None


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
