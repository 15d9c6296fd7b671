"""Script elements heard by meaning: the sentence model's reading of a check's window, where the phrase
lists found nothing.

Phrase lists catch the wording they list and its garbled forms; an offer of further help worded as nobody
wrote it down ("does anything else need looking at while we're talking?") fails them. The intent model
also answers, per script element it was trained on (`qa.intent_model.ELEMENT_DATA`), how likely a sentence
says it. A sentence of the check's window at or above the judge's threshold is evidence the element was
said; it is stated certain only from the element's certainty point (held-out precision ≥ 0.95, see
`qa.intents_certainty.certainty_points`) and on words the recogniser was sure of (`ModelMatch.weakness`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, runtime_checkable

from qa.intent_evidence import ModelMatch
from qa.intents import Intent, Sentence, speaker_sentences
from qa.matching import LOW_CONFIDENCE, RIVAL_MARGIN, Match, Token, normalize, rival_matches
from transcription.recognizer import Transcript

SPAN_SLACK_S = 0.05
"""Seconds a phrase match's word times may reach past its sentence's (word and sentence times are rounded)."""
MIN_ELEMENT_WORDS = 4
"""Words a sentence needs for the model alone to be certain it says a script element. Not content words
(`qa.intent_evidence.content_words`), as for the intent categories: an offer of further help is made of stop
words ("Is there anything else I can do?" has one), and on the first decodes of dev, A, C and greet's
clean-voice probe calls every reading at the element's certainty point on clearly heard words (mean confidence
≥ 0.5) was of a closing whose call had that element (offer of help 94/94, thanks 85/85); a fragment ("Take
care.", "Speaking.") still carries too little to act on alone."""
DOUBT_PROBABILITY = 0.2
"""Probability (0–1) from which the model's reading of a sentence as the missing element doubts its
absence (below the judge's threshold it is no evidence of presence, but a FAIL should not be certain)."""


@dataclass(frozen=True)
class ElementMatch(ModelMatch):
    """The model's reading of a sentence as a script element, as evidence (see MIN_ELEMENT_WORDS)."""

    def weakness(self, threshold: float, *, conf_matters: bool = True) -> str | None:
        if self.score / 100 < self.certain_at:
            return super().weakness(threshold, conf_matters=conf_matters)
        if len(normalize(self.text)) < MIN_ELEMENT_WORDS:
            return f"model only, on too few words to judge by meaning (“{self.text}”)"
        return Match.weakness(self, 0.0, conf_matters=conf_matters)


@runtime_checkable
class ElementReader(Protocol):
    """What the checks need of a model that reads script elements (`qa.intent_model.IntentModel`)."""

    def read_elements(self, texts: Sequence[str]) -> list[dict[str, Intent]]: ...


@dataclass(frozen=True)
class ElementJudge:
    """A model reading script elements and the probability (0–1) from which a sentence counts as saying
    one (the verdict's lean; certainty is the model's own per-element point)."""

    reader: ElementReader
    threshold: float


def window_sentences(
    transcript: Transcript, speaker: str, tokens: Sequence[Token], first_s: float | None
) -> list[Sentence]:
    """`speaker`'s sentences in the segments the window's `tokens` come from (starting before `first_s`
    seconds when the window is the start of the call)."""
    segments = {t.segment for t in tokens}
    return [
        s
        for s in speaker_sentences(transcript, speaker)
        if s.segment in segments and (first_s is None or s.start < first_s)
    ]


class WindowReading:
    """The judge's reading of one window's sentences, made once and only when an element needs it."""

    def __init__(
        self,
        judge: ElementJudge,
        sentences: Sequence[Sentence],
        tokens: Sequence[Token] = (),
        hinted: frozenset[str] = frozenset(),
    ) -> None:
        """`tokens`: the window's words, to weigh a sentence's confidence without the `hinted` words
        (the company's and agent's names given to the recogniser as hints, which come back with
        near-zero probability however clearly they were said)."""
        self.judge = judge
        self.sentences = list(sentences)
        self.tokens = list(tokens)
        self.hinted = hinted

    def _conf(self, sentence: Sentence) -> float:
        words = [
            t.conf
            for t in self.tokens
            if t.segment == sentence.segment
            and sentence.start <= t.start
            and t.end <= sentence.end
            and t.text not in self.hinted
        ]
        return sum(words) / len(words) if words else sentence.conf

    @cached_property
    def _read(self) -> list[dict[str, Intent]]:
        return self.judge.reader.read_elements([s.text for s in self.sentences])

    def _best(
        self,
        element: str,
        *,
        skip: Collection[int] = frozenset(),
        besides: Sequence[Match] = (),
        keep: Callable[[Sentence], bool] | None = None,
    ) -> tuple[Sentence, Intent] | None:
        """The sentence most likely to say `element`, leaving out those of the `skip` segments, those
        holding one of `besides` (matches of other phrases) and those `keep` does not keep."""
        scored = [
            (s, r[element])
            for s, r in zip(self.sentences, self._read, strict=True)
            if element in r
            and s.segment not in skip
            and not any(_holds(s, m) for m in besides)
            and (keep is None or keep(s))
        ]
        return max(scored, key=lambda pair: pair[1].probability, default=None)

    def evidence(self, element: str, *, keep: Callable[[Sentence], bool] | None = None) -> ModelMatch | None:
        """The sentence most likely to say `element`, as evidence, when it reaches the judge's threshold;
        only sentences `keep` keeps count (the element's place, `qa.element_place`)."""
        best = self._best(element, keep=keep)
        if best is None or best[1].probability < self.judge.threshold:
            return None
        return self._match(element, *best)

    def corroborates(self, element: str, start: float, end: float) -> ModelMatch | None:
        """The model's reading of the sentence holding a phrase match at `start`–`end` (s) as `element`,
        when it reaches the element's certainty point on words the recogniser was sure of: a second,
        meaning-based witness for a match the phrase list found only near its threshold ("anything" for
        "anything else" in "Can I check anything further for you while you're on?"). None otherwise,
        e.g. when "anything" sits in "I can't do anything about it". Unlike a model-only hit, no count of
        content words is asked: the phrase match already vouches for the words, the model for their sense."""
        held = [
            (s, r[element])
            for s, r in zip(self.sentences, self._read, strict=True)
            if element in r and s.start <= start + SPAN_SLACK_S and end <= s.end + SPAN_SLACK_S
        ]
        if not held:
            return None
        sentence, intent = held[0]
        if not intent.certain or self._conf(sentence) < LOW_CONFIDENCE:
            return None
        return self._match(element, sentence, intent)

    def _match(self, element: str, sentence: Sentence, intent: Intent) -> ModelMatch:
        return ElementMatch(
            phrase=f"model:{element}",
            text=sentence.text,
            start=sentence.start,
            end=sentence.end,
            score=round(intent.probability * 100, 1),
            segment=sentence.segment,
            mean_conf=self._conf(sentence),
            first_token=-1,
            last_token=-1,
            certain_at=intent.certain_at,
        )

    def doubt(
        self, element: str, *, opening: Collection[int] = frozenset(), false_friends: Sequence[str] = ()
    ) -> tuple[str, float] | None:
        """Why the model doubts that `element` is missing (a sentence it reads as the element with
        probability ≥ DOUBT_PROBABILITY) and that probability (0–1), or None. Sentences of the `opening`
        segments (the agent's greeting turns, for a check of the last turns) doubt nothing: a short call's
        closing window reaches back to the greeting, whose "how can I help you today?" reads a little like
        an offer of further help, but a call's opening words are not its closing. Nor does a sentence
        holding one of the element's `false_friends` said word for word (within RIVAL_MARGIN of 100): it
        says what that phrase says: "Thanks for holding." reads 0.23 as a thanks for the call (held-out
        G-036, a closing without one, both readings)."""
        said = rival_matches(false_friends, self.tokens, threshold=100.0 - RIVAL_MARGIN)
        best = self._best(element, skip=opening, besides=said)
        if best is None or best[1].probability < DOUBT_PROBABILITY:
            return None
        probability = best[1].probability
        return f"“{best[0].text}” may say it (model probability {probability:.2f})", probability


def _holds(sentence: Sentence, match: Match) -> bool:
    return (
        match.segment == sentence.segment
        and sentence.start - SPAN_SLACK_S <= match.start
        and match.end <= sentence.end + SPAN_SLACK_S
    )
