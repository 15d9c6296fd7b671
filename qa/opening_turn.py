"""Where a missing greeting element belongs in the agent's opening turn, and whether it was heard there.

A greeting's elements are said together at the start of the opening turn, before the offer of help ("Morning,
this is Helen at Orbit Telecom, what can I sort out for you?"). Where the recogniser found some of them,
the words around them up to the offer are where the others belong: unsure words there may be a missing
element misheard, while unsure words elsewhere in the turn (the offer of help, a question) say nothing
about it.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.absence import GARBLED_RUN, UNSURE_CONF, Span
from qa.elements import OFFER_START
from qa.matching import Token, taken
from qa.text import is_chinese

SPAN_SLACK_S = 0.01
"""Seconds by which a word's times may stray outside a found element's evidence and still be its word
(evidence times are its first word's start and its last word's end, rounded in stored results)."""


def element_place(place: Sequence[Token], found: Sequence[Span]) -> list[Token]:
    """The words of the opening turn `place` where a missing greeting element belongs: from the turn's
    start up to the offer of help (the first OFFER_START word after the last found element's words;
    "is" only opening a sentence, "Is there anything…", as inside one it is an introduction's "this is"),
    less the words a found element took (`found`: the time spans of the found elements' evidence, s).
    Empty when no element was found in the turn: with nothing heard of a greeting there is no telling
    where one would be ("Right, what is it this time?" heard unsurely is an opening without one). Empty
    for a Chinese turn too: the offer of help is found by English words, and whisper's guessed Chinese
    characters are counted by their own rule (`qa.absence.garbled_run`)."""
    covered = [k for k, token in enumerate(place) if taken(token, found, SPAN_SLACK_S)]
    if not covered or any(is_chinese(token.text) for token in place):
        return []
    end = next(
        (k for k in range(covered[-1] + 1, len(place)) if _offers(place[k])),
        len(place),
    )
    return [token for token in place[:end] if not taken(token, found, SPAN_SLACK_S)]


def unsure_place(
    place: Sequence[Token], found: Sequence[Span], hinted: frozenset[str] = frozenset()
) -> list[Token]:
    """The words where a missing greeting element belongs (`element_place`) when GARBLED_RUN or more of
    them, the `hinted` names left out, were heard under UNSURE_CONF — room for the element misheard —
    else an empty list. Held-out C: "Morning/0.05 we've/0.47 been/0.97 sailing/0.45 at/0.36 orbit/0.10
    fairly,/0.59 what can I talk about?" for "Morning, this is Helen at Orbit Telecom, what can I sort
    out for you?", where both recognisers lost the self-introduction; while "Welcome to Lumen Insurance.
    What can I move/0.35 for you from/0.26 May?/0.39", unsure only in the offer of help, lacked it. Two
    unsure words are too few: the recorded agent prompts' "Waldo's premier provider of the perfect
    products", no introduction in it, came out "while/0.29 those premier/0.17 provider …"."""
    words = element_place(place, found)
    unsure = [t for t in words if t.text not in hinted and t.conf < UNSURE_CONF]
    return words if len(unsure) >= GARBLED_RUN else []


def _offers(token: Token) -> bool:
    """Whether `token` opens the offer of help that ends the greeting's elements."""
    return token.text in OFFER_START and (token.text != "is" or token.sentence_start)
