"""Words a script element forbids beside the phrases it requires: "address the caller as 您, never as 你".

The Chinese seed script's second must (您 throughout) is broken by one plain 你 to the caller, while 你们
("you all", the caller's household or company) is fine. Such rules are regular expressions over the
canonical text (`qa.text`: simplified, lower case, no punctuation) of each utterance, so 你们 is told
apart by a look-ahead (`你(?!们)`) rather than by fuzzy matching, which would take 你 for 您.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby

from qa.matching import LOW_CONFIDENCE, Match, Token, match_at

NEVER_HEARD = "a word the script forbids here was heard"


def find_never(tokens: Sequence[Token], patterns: Sequence[str]) -> Match | None:
    """The first place (time order) where one of `patterns` matches the text of one utterance's tokens,
    as evidence covering the tokens it touches; None when no pattern matches."""
    if not patterns:
        return None
    found: list[Match] = []
    for _, run in groupby(range(len(tokens)), key=lambda i: tokens[i].segment):
        indices = list(run)
        text, owner = "", []
        for i in indices:
            text += tokens[i].text
            owner.extend([i] * len(tokens[i].text))
        for pattern in patterns:
            hit = re.search(pattern, text)
            if hit is not None and hit.end() > hit.start():
                found.append(match_at(pattern, tokens, owner[hit.start()], owner[hit.end() - 1], 100.0))
    return min(found, key=lambda m: m.start) if found else None


def never_doubts(evidence: Match) -> list[str]:
    """Reasons to doubt that the forbidden word was said (empty when it was heard clearly)."""
    if evidence.mean_conf < LOW_CONFIDENCE:
        return [f"“{evidence.text}” heard with confidence {evidence.mean_conf:.2f}"]
    return []
