"""A second decoding where a verdict is in doubt: the composition of transcription and QA for it.

A greeting or closing that failed or is UNCERTAIN is checked again on the same window decoded by another
model (the multilingual whisper base beside tiny.en): agreement makes the verdict certain, disagreement
makes it UNCERTAIN (see `qa.second_reading.second_opinion`). Agent sentences heard unsurely are decoded
again and searched for forbidden remarks the first decoding garbled; one found only there goes to a person
(`qa.remark_reading`). Only those windows and sentences are decoded, so the cost is a few seconds of audio
per doubt, not the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from qa.analysis import CallAnalysis, find_remarks, with_checks
from qa.checks import run_check
from qa.element_evidence import ElementJudge
from qa.intents import SentenceClassifier, agent_sentences, classify_sentences
from qa.metrics import Activity
from qa.phrases import PhraseSet
from qa.remark_reading import heard_again, reread_spans, unsure_sentences
from qa.script import Script
from qa.second_reading import check_span, second_opinion
from transcription.pipeline import redecode_span
from transcription.recognizer import FloatArray, Recognizer, Speaker, Transcript


def reconsider_checks(
    analysis: CallAnalysis,
    transcript: Transcript,
    legs: Mapping[Speaker, FloatArray],
    sample_rate: int,
    script: Script,
    recognizer: Recognizer,
    *,
    activity: Activity | None = None,
    judge: ElementJudge | None = None,
) -> CallAnalysis:
    """`analysis` with every check that did not pass with certainty run again on a second decoding of its
    window by `recognizer`, and the two verdicts combined. The second reading gets no name hints: a
    hinted recogniser writes the hinted name where it was not said, and a reading that finds every element
    clearly decides the verdict (`qa.second_reading.second_opinion`), so it must hear only what was said.
    `judge` reads elements by meaning, as in the first reading. Sentiment is summarised again up to the
    offer of help the combined closing found (`qa.analysis.with_checks`)."""
    checks = dict(analysis.checks)
    for name, result in analysis.checks.items():
        check = script.checks.get(name)
        if result.state == "pass" or check is None:
            continue
        span = check_span(transcript, check)
        speaker = cast(Speaker, check.speaker)
        if span is None or speaker not in legs:
            continue
        redone = redecode_span(
            transcript,
            legs[speaker],
            sample_rate,
            recognizer,
            speaker=speaker,
            span=span,
        )
        speech = activity.get(speaker) if activity is not None else None
        second = run_check(redone, check, script, speech=speech, judge=judge)
        checks[name] = second_opinion(
            result,
            second,
            threshold=script.threshold,
            required={e.name for e in check.elements if e.required},
            by_name={e.name for e in check.elements if e.needs in ("company", "agent")},
        )
    return with_checks(analysis, checks, mood_in_reply=script.mood_in_closing_reply)


def reconsider_remarks(
    analysis: CallAnalysis,
    transcript: Transcript,
    agent_leg: FloatArray,
    sample_rate: int,
    recognizer: Recognizer,
    *,
    forbidden: PhraseSet,
    intents: SentenceClassifier | None,
    intent_threshold: float,
    min_probability: float,
) -> CallAnalysis:
    """`analysis` with the forbidden remarks a second decoding by `recognizer` hears in the agent
    sentences the first reading heard unsurely (`qa.remark_reading.unsure_sentences`), found by the same
    detection as the first reading's (`forbidden` phrases, `intents` at `intent_threshold`) and added as
    UNCERTAIN violations (`qa.remark_reading.heard_again`; a model hit from `min_probability`, 0–1).
    Only the chosen sentences of `agent_leg` (mono at `sample_rate` Hz) are decoded, with no hints."""
    sentences = agent_sentences(transcript)
    chosen = unsure_sentences(sentences, analysis.violations)
    if not chosen:
        return analysis
    nothing = Transcript((), transcript.duration_s)
    heard = Transcript(
        tuple(
            segment
            for span in reread_spans(chosen, transcript.duration_s)
            for segment in redecode_span(
                nothing, agent_leg, sample_rate, recognizer, speaker="agent", span=span
            ).segments
        ),
        transcript.duration_s,
        engine=recognizer.name,
    )
    second = find_remarks(
        heard,
        forbidden,
        classify_sentences(heard, intents) if intents is not None else [],
        intent_threshold=intent_threshold,
    )
    violations = heard_again(
        analysis.violations,
        second,
        first_words=[(s.start, s.end, s.text) for s in sentences],
        engine=recognizer.name,
        min_probability=min_probability,
    )
    return replace(analysis, violations=violations)
