"""Where in its window a script element belongs (`ElementDef.belongs`), the only place the sentence model's
reading alone counts as the element, and the only place a garbled stretch leans its absence PASS.

A listed phrase says which words were said; the model's reading says what a sentence means, and the same
words mean different things in different places of a call. "Thanks for hanging on." said on coming back
from a hold 25 s into a 48 s call reads 0.71 as a thanks for the call (held-out J-036, a closing without
a thanks: a certain PASS on it). A closing window reaches back 30 s, past such returns from hold; the
closing itself is said after the call's business is done. So an element with a place is heard by meaning
alone only there: in the speaker's last turns, and from where the offer of further help was heard on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from qa.absence import Doubt, Span, garbled_run, garbled_span
from qa.element_evidence import SPAN_SLACK_S
from qa.elements import ElementResult
from qa.intents import Sentence
from qa.matching import Token, taken
from qa.script import ElementPlace


def place_filter(
    place: ElementPlace | None, tokens: Sequence[Token], results: Mapping[str, ElementResult]
) -> Callable[[Sentence], bool] | None:
    """Which of the window's sentences the model may hear the element in (None: all): those of the last
    `place.last_turns` turns in the window's `tokens`, and those ending after the start of the `place.after`
    element's evidence in `results` (a sentence that holds the offer counts: "thanks for calling, anything
    else?"). A turn written wholly packed into no time (`Token.packed`) is no turn spoken: whisper's
    "and I'll see you in the next video" after an agent's last words would push the thanks out."""
    if place is None:
        return None
    last, since = _bounds(place, tokens, results)

    def keep(sentence: Sentence) -> bool:
        return sentence.segment in last or (since is not None and sentence.end > since + SPAN_SLACK_S)

    return keep


def garbled_elsewhere(
    reasons: Sequence[Doubt],
    place: ElementPlace | None,
    tokens: Sequence[Token],
    results: Mapping[str, ElementResult],
    found: Sequence[Span] = (),
    hinted: frozenset[str] = frozenset(),
) -> list[Doubt]:
    """`reasons` to doubt a missing element's absence, a garbled stretch among them no longer taken for one
    where the element belongs (`Doubt.garbled`, which leans a check missing only that element PASS) when
    the window's `tokens` in the element's `place`, less the words other elements were heard in (`found`:
    their evidence's time spans, s), hold none: the stretch still doubts the absence, but says nothing of
    which way. A closing's thanks comes after the offer of help; a resolution turn garbled before the offer,
    or the offer's own words heard unsurely ("Can/0.38 I/0.25 lend/0.22 a hand on anything besides?"), do
    not hide it (J-035, I-035, G-031: closings without a thanks leaning PASS on one)."""
    if place is None or not any(r.garbled for r in reasons):
        return list(reasons)
    last, since = _bounds(place, tokens, results)
    there = [
        t
        for t in tokens
        if not t.packed
        and (t.segment in last or (since is not None and t.start >= since - SPAN_SLACK_S))
        and not taken(t, found, SPAN_SLACK_S)
    ]
    if garbled_run([t for t in there if t.text not in hinted]) or garbled_span(there, hinted):
        return list(reasons)
    return [replace(r, garbled=False) for r in reasons]


def _bounds(
    place: ElementPlace, tokens: Sequence[Token], results: Mapping[str, ElementResult]
) -> tuple[set[int], float | None]:
    """(the segments of the last `place.last_turns` spoken turns, the time (s) the `place.after` element
    was heard from, or None)."""
    spoken = sorted({t.segment for t in tokens if not t.packed})
    anchor = results.get(place.after) if place.after else None
    since = anchor.evidence.start if anchor is not None and anchor.found and anchor.evidence else None
    return set(spoken[-place.last_turns :]), since
