"""Where in its window a script element belongs (`ElementDef.belongs`), the only place the sentence model's
reading alone counts as the element.

A listed phrase says which words were said; the model's reading says what a sentence means, and the same
words mean different things in different places of a call. "Thanks for hanging on." said on coming back
from a hold 25 s into a 48 s call reads 0.71 as a thanks for the call (held-out J-036, a closing without
a thanks: a certain PASS on it). A closing window reaches back 30 s, past such returns from hold; the
closing itself is said after the call's business is done. So an element with a place is heard by meaning
alone only there: in the speaker's last turns, and from where the offer of further help was heard on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qa.element_evidence import SPAN_SLACK_S
from qa.elements import ElementResult
from qa.intents import Sentence
from qa.matching import Token
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
    spoken = sorted({t.segment for t in tokens if not t.packed})
    last = set(spoken[-place.last_turns :])
    anchor = results.get(place.after) if place.after else None
    since = anchor.evidence.start if anchor is not None and anchor.found and anchor.evidence else None

    def keep(sentence: Sentence) -> bool:
        return sentence.segment in last or (since is not None and sentence.end > since + SPAN_SLACK_S)

    return keep
