"""A second reading for forbidden remarks: which agent sentences to decode again, and what a remark heard
only there is worth.

A remark the first decoding garbled ("it's not my department" written "it's nut mad apartment") is lost to
both the phrase lists and the sentence model. Agent sentences the recogniser heard unsurely are decoded
again by another model (`callqa.pipeline.second_opinion`) and the forbidden detection runs on those words.
A remark found only in the second reading is stated UNCERTAIN, never certain: as confirmation of a
first-reading hit the second model agreed 44 times in 47 (0.94), under the precision a certain verdict
needs, so it is evidence for a person, not a verdict.

Pure QA: the caller decodes, this module chooses and judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from qa.intent_evidence import MIN_CERTAIN_CONTENT_WORDS, content_words
from qa.intents import Sentence
from qa.metrics import merged_spans
from qa.phrases import Violation

SECOND_READING = "second_reading"
"""`Violation.source` of a remark heard only by a second decoding."""
UNSURE_CONF = 0.7
"""Mean recogniser confidence (0–1) of an agent sentence's words below which it is decoded again. Measured
on the first decodes of dev and held-out C (whisper base on each candidate sentence ± PAD_S, remarks counted
per call and category, sentence-model hits from 0.75): below 0.7 the second reading found what it finds
below 0.8 and 0.75 with fewer false remarks (C: +1 right, 2 false, against 5 false) on 29 % of the call's
duration decoded instead of 38 %; below 0.6 it decodes half as much and found the same right remark
(with 1 false). Garbled stretches (`qa.absence.garbled_span`) alone chose 27 sentences that held none of
the missed remarks; a forbidden category half-read by the model (0.3–0.5) chose 1–2 sentences a set, with
nothing found in them."""
SAME_SENTENCE = 60.0
"""Similarity (0–100, rapidfuzz ratio, case and punctuation ignored) a second-reading sentence the model
reads as a remark must keep with what the first decoding wrote there. Two models reading the same words
differ in some of them ("I'm already paying up to right, leaving properly" / "I'm already fed up twice,
sleep and properly": 72); a sentence unlike the first reading is the second model writing something else
over unsure audio: on held-out C whisper base wrote "I'm not so pretty young even though..." (rude, 0.89)
for "I'm just opening your details now" in two calls (first readings 49 and 59 alike), and "What are you
trying to say to me?" for a greeting (40)."""
PAD_S = 0.4
"""Seconds of the agent's leg added on each side of a sentence decoded again: first-reading word times
of garbled words are loose, and a clipped first or last word is a word the second model cannot hear."""


def unsure_sentences(
    sentences: Sequence[Sentence], found: Sequence[Violation], *, unsure_conf: float = UNSURE_CONF
) -> list[Sentence]:
    """The agent `sentences` worth a second reading for remarks: heard with mean word confidence below
    `unsure_conf` (0–1). Sentences overlapping a remark already `found` are left out: a second reading may
    add a remark, never confirm one, so decoding them again would cost time for nothing."""
    return [
        s
        for s in sentences
        if s.conf < unsure_conf and not any(v.start < s.end and s.start < v.end for v in found)
    ]


def reread_spans(
    sentences: Sequence[Sentence], duration_s: float, *, pad_s: float = PAD_S
) -> list[tuple[float, float]]:
    """The stretches of the call (s) to decode again for `sentences`: each padded by `pad_s` and cut to
    the recording (0–`duration_s`), stretches that touch merged into one (one decoding, more context)."""
    return merged_spans([(max(0.0, s.start - pad_s), min(duration_s, s.end + pad_s)) for s in sentences])


def heard_again(
    first: Sequence[Violation],
    second: Sequence[Violation],
    *,
    first_words: Sequence[tuple[float, float, str]],
    engine: str,
    min_probability: float,
) -> list[Violation]:
    """`first` (the first reading's remarks) with the remarks of `second` (the forbidden detection run on
    a second decoding of unsure sentences) that the first reading did not hear: a category with no
    first-reading remark overlapping it in time. Each is UNCERTAIN, its source SECOND_READING, and its note
    says what the second decoding (`engine`) heard, where, how it was found, and what the first reading
    wrote there (`first_words`: the first reading's agent sentences as (start s, end s, text)).

    What counts of the second reading: a listed phrase matched clearly (`qa.matching.Match.weakness`), and
    a sentence-model hit from `min_probability` (0–1) on at least MIN_CERTAIN_CONTENT_WORDS content words
    and alike to what the first decoding wrote there (SAME_SENTENCE). Whisper base decoding a few seconds
    of unsure audio alone writes short confident fragments ("Get me!", "For me, it's not.") and whole
    sentences nobody said, which the model reads as remarks. Time order."""
    added: list[Violation] = []
    for v in second:
        wrote = _written(first_words, v.start, v.end)
        if v.source == "model":
            if (
                v.score < min_probability * 100
                or len(content_words(v.text)) < MIN_CERTAIN_CONTENT_WORDS
                or fuzz.ratio(v.text, wrote, processor=default_process) < SAME_SENTENCE
            ):
                continue
        elif v.state == "uncertain":  # a listed phrase matched near its threshold: a coincidence of words
            continue
        if any(_overlaps(v, other) and other.category == v.category for other in (*first, *added)):
            continue
        added.append(
            replace(
                v,
                source=SECOND_READING,
                state="uncertain",
                category_sure=True,  # uncertain as a whole, not only in its kind
                note=_evidence(v, engine, wrote)
                + (f"; {v.note}" if v.state == "uncertain" and v.note else ""),
            )
        )
    return sorted([*first, *added], key=lambda v: v.start)


def _overlaps(a: Violation, b: Violation) -> bool:
    return a.start < b.end and b.start < a.end


def _written(first_words: Sequence[tuple[float, float, str]], start: float, end: float) -> str:
    return " ".join(text for s, e, text in first_words if s < end and start < e)


def _evidence(v: Violation, engine: str, first: str) -> str:
    how = (
        f"the sentence model, probability {v.score / 100:.2f}"
        if v.source == "model"
        else f"the listed phrase “{v.matched_phrase}”, match {v.score:.0f}"
    )
    wrote = f"; the first decoding wrote “{first}”" if first else "; the first decoding wrote nothing there"
    return (
        f"heard only by a second decoding ({engine}): “{v.text}” at {v.start:.1f}–{v.end:.1f} s, "
        f"found by {how}{wrote}"
    )
