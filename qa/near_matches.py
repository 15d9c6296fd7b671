"""Near matches of a missing element's phrase: whether one is a doubt of the absence at all (words heard
well are what was said), and whether it resembles the element (an UNCERTAIN absence leans PASS) or not (it
leans FAIL). `qa.checks` asks these of every near match it finds.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.matching import Match, Token, normalize
from qa.names import name_piece

NEGATIONS = frozenset({"not", "no", "never", "cannot", "nothing", "nobody"})
"""Words that turn a phrase into its opposite: "I can't help with that" is no offer of help misheard."""


HEARD_WELL_CONF = 0.8
"""Word confidence (0–1) from which the recogniser heard a word as what it is (see `heard_as_said`)."""


def heard_as_said(near: Match, tokens: Sequence[Token], hinted: frozenset[str]) -> bool:
    """Whether a near match of a missing element's phrase is other words heard well, and so no doubt of
    the absence: a near miss stands for a phrase the recogniser garbled, and a garbled phrase leaves some
    word it was unsure of; words it was sure of, every one, are what was said ("statement before
    ringing" at 0.99 is no "thanks for ringing", "good" at 0.91 in "take your post, good" no goodbye).
    On the first decodes of dev, A, C and closing's probe calls every near match of an element that was
    said had a word under 0.7 ("for tuning Harbor Bank": tuning 0.68), and those whose every word reached
    HEARD_WELL_CONF were of an element the call lacked. A near match holding a `hinted` name (company,
    agent) or a piece of one is never heard well: the recogniser returns a hinted name near zero however
    clearly said, and splits it into ordinary words it is sure of ("Silverline Rail" heard as "the line
    rail", line at 0.81, a company said)."""
    words = tokens[near.first_token : near.last_token + 1]
    return bool(words) and all(_heard_well(t, hinted) for t in words)


def frames_other(
    near: Match, tokens: Sequence[Token], heard_at: Sequence[tuple[float, float]], hinted: frozenset[str]
) -> bool:
    """Whether a near match is another element found there (`heard_at`: its evidence spans, s) in words
    heard well around it: "you've come through to Thistlewood" (every word but the company at 0.9 or more)
    nearly matches "you are through to <the agent's name>" with the company in the name's place, and is
    the greeting naming the company, not a garbled self-introduction. A frame heard unsurely ("may the
    speaking for Ashby", may 0.32) may still be one."""
    words = tokens[near.first_token : near.last_token + 1]
    rest = [t for t in words if not any(start <= t.start < end for start, end in heard_at)]
    return 0 < len(rest) < len(words) and all(_heard_well(t, hinted) for t in rest)


def _heard_well(token: Token, hinted: frozenset[str]) -> bool:
    """A word the recogniser was sure of (HEARD_WELL_CONF) that is no piece of a `hinted` name, whose
    confidence says nothing (see `heard_as_said`)."""
    return token.conf >= HEARD_WELL_CONF and not name_piece(token.text, hinted)


SHARED_MIN = 4
"""Letters a word needs to carry a phrase's sense: shorter ones (for, you, can, the) are its grammar, and
"that for you help" nearly matches "thanks for your call" on them alone."""
GRAMMAR = frozenset({"this", "that", "with", "your", "have", "what", "from", "them", "then", "there", "were"})
"""Longer words that are grammar too: "this is Ashby Council Tax" nearly matches "this is <the agent's
name>" on "this" alone, and "with Tidewell Water all" matched an offer of help on "with"."""


def resembles(near: Match) -> bool:
    """Whether a near match of a missing element's phrase resembles the element: it shares a word of
    SHARED_MIN letters or more with the phrase ("may something more like a" for "anything more i can do")
    and adds no negation ("i cannot help with math" is no offer of help misheard)."""
    heard, meant = set(normalize(near.text)), set(normalize(near.phrase))
    shared = (heard & meant) - GRAMMAR
    return any(len(w) >= SHARED_MIN for w in shared) and not (heard - meant) & NEGATIONS
