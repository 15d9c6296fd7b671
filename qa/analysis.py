"""Everything QA says about one call: the `CallAnalysis` record, its codec (`to_json`/`from_json`, the
stored form) and its view for the `analyze --json` contract (`to_contract_dict`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from qa.acoustic import Agitation
from qa.checks import CheckResult, run_checks
from qa.element_evidence import ElementJudge, ElementReader
from qa.intents import Intent, Sentence, SentenceClassifier, classify_sentences, find_intents
from qa.matching import Match
from qa.metrics import Activity, Gap, TalkStats, find_dead_air, find_holds, talk_stats
from qa.phrases import CATEGORIES, PhraseSet, Violation, find_agent_phrases, find_violations, merge_matches
from qa.procedures import run_procedures
from qa.reading import doubt_failures, reading_doubts
from qa.script import Script
from qa.sentiment import SentimentModel, SpeakerSentiment, speaker_sentiment, summarise
from transcription.recognizer import Transcript

NO_SPEECH_REASON = "no speech from the agent: nothing to judge"
VETO_PROB = 0.9
"""Probability (0–1) with which the sentence model must call a sentence harmless to overrule a loose
(score < 100) forbidden-phrase match inside it."""


@dataclass(frozen=True)
class CallAnalysis:
    """The QA stage's record of one call. Checks are keyed by the script's check names (any names)."""

    checks: dict[str, CheckResult]
    violations: list[Violation]
    empathy: list[Match]
    dead_air: list[Gap]
    holds: list[Gap]
    talk: TalkStats
    sentiment: dict[str, SpeakerSentiment]
    sentiment_model: str
    intent_model: str = ""
    agitation: Agitation | None = None
    status: Literal["ok", "no_speech"] = "ok"
    """"no_speech" when the agent said nothing the recogniser could write: nothing to judge, so every
    check is UNCERTAIN (a person listens) and the call counts in no agent's average."""

    @property
    def has_empathy(self) -> bool:
        return bool(self.empathy)

    def to_json(self) -> dict[str, Any]:
        """Every field, nested records included, as JSON-ready data; `from_json` reads it back equal.
        Derived from the dataclass fields, so a field added to a record (a check's reason code, a
        violation's …) is stored without touching this codec."""
        data: dict[str, Any] = _analysis_codec().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallAnalysis:
        """Parse `to_json` output; pydantic.ValidationError names the first field that does not fit."""
        return _analysis_codec().validate_python(data)

    def to_contract_dict(self) -> dict[str, Any]:
        """The `analyze --json` view (never stored, never parsed back): checks, violations, empathy,
        dead_air, sentiment (+ evidence and metrics) as JSON-ready data."""
        return {
            "status": self.status,
            "checks": {name: c.to_dict() for name, c in self.checks.items()},
            "violations": [v.to_dict() for v in self.violations],
            "empathy": self.has_empathy,
            "empathy_evidence": [m.to_dict() for m in self.empathy],
            "dead_air": [g.to_dict() for g in self.dead_air],
            "holds": [g.to_dict() for g in self.holds],
            "talk": self.talk.to_dict(),
            "sentiment": {speaker: s.to_dict() for speaker, s in self.sentiment.items()},
            "caller_agitation": self.agitation.to_dict() if self.agitation else None,
            "sentiment_model": self.sentiment_model,
            "intent_model": self.intent_model,
        }


@cache
def _analysis_codec() -> TypeAdapter[CallAnalysis]:
    return TypeAdapter(CallAnalysis)


def element_judge(model: SentenceClassifier | None, threshold: float) -> ElementJudge | None:
    """The script-element judge of an intent model that reads elements (`qa.element_evidence`), at the
    intent threshold (0–1); None without one."""
    if model is None or not isinstance(model, ElementReader):
        return None
    return ElementJudge(model, threshold)


def find_remarks(
    transcript: Transcript,
    forbidden: PhraseSet,
    classified: Sequence[tuple[Sentence, Intent]],
    *,
    intent_threshold: float,
) -> list[Violation]:
    """The forbidden remarks in the agent's speech of `transcript`: listed phrases, and sentences of
    `classified` (`classify_sentences` of the same transcript; empty without a model) put in a forbidden
    category with probability ≥ `intent_threshold` (0–1), in time order. Pure."""
    learned = find_intents(classified, CATEGORIES, threshold=intent_threshold)
    # Sentences the model is sure are harmless ("sorry you had to deal with this"): a loose phrase match
    # inside one ("deal with it") is a coincidence of words, not a remark.
    harmless = [
        (s.start, s.end)
        for s, hit in classified
        if hit.label not in CATEGORIES and hit.probability >= VETO_PROB
    ]
    return find_violations(
        transcript, forbidden, learned, learned_threshold=intent_threshold * 100, harmless=harmless
    )


def content_ends_at(checks: Mapping[str, CheckResult]) -> float | None:
    """Where the call's content ends and its closing formalities begin (seconds): the start of the agent's
    offer of further help as the closing check found it; None when it found none."""
    closing = checks.get("closing")
    offer = next((e.evidence for e in closing.elements if e.name == "offer_help"), None) if closing else None
    return offer.start if offer is not None else None


def with_checks(
    analysis: CallAnalysis, checks: dict[str, CheckResult], *, mood_in_reply: bool
) -> CallAnalysis:
    """`analysis` with its checks replaced (a second reading's verdicts) and each speaker's sentiment
    summarised again up to the content end those checks find (`content_ends_at`): the caller's "no
    thanks" to an offer of help the first reading missed is a formula reply, not their mood at the end.
    `mood_in_reply` is the script's `mood_in_closing_reply`. Pure."""
    end = content_ends_at(checks)
    sentiment = {
        speaker: summarise(s.utterances, content_ends_at=end, mood_in_reply=mood_in_reply)
        for speaker, s in analysis.sentiment.items()
    }
    return replace(analysis, checks=checks, sentiment=sentiment)


def analyze_transcript(
    transcript: Transcript,
    script: Script,
    forbidden: PhraseSet,
    empathy: PhraseSet,
    *,
    sentiment_model: SentimentModel,
    dead_air_min_s: float,
    intent_model: SentenceClassifier | None = None,
    intent_threshold: float,
    activity: Activity | None = None,
    agitation: Agitation | None = None,
    caller_snr_db: float | None = None,
    unredacted: Transcript | None = None,
) -> CallAnalysis:
    """Run every check on a call transcript. Pure: no I/O.

    A silence of at least `dead_air_min_s` seconds is dead air (see `find_dead_air`); the caller passes
    both numbers from its settings.

    With `intent_model`, script elements no listed phrase found may be heard by meaning
    (`qa.element_evidence`), and agent sentences it assigns to a forbidden category or to empathy with
    probability ≥ `intent_threshold` count as well as phrase-list matches (paraphrases nobody listed);
    a model-only violation below its category's certainty point is stated "uncertain". A loose
    forbidden-phrase match in a sentence the model is sure is harmless (VETO_PROB) is dropped.
    `activity` (speech-energy spans per leg) fills in speech the recogniser left without words, for dead
    air and talk-over; `agitation` is the caller's acoustic cue, reported beside text sentiment;
    `caller_snr_db` (`qa.acoustic.line_snr_db` of the caller leg) tells a noisy line (`qa.procedures`).
    `unredacted` is `transcript` before personal data was redacted: sentiment is read from it (a label
    leaves it, never a word; see `speaker_sentiment`).
    """
    checks = run_checks(
        transcript, script, speech=activity, judge=element_judge(intent_model, intent_threshold)
    )
    checks.update(run_procedures(transcript, script, activity=activity, caller_snr_db=caller_snr_db))
    hints = tuple(h for h in (script.company, script.agent_name) if h)
    checks = doubt_failures(checks, reading_doubts(transcript, language=script.language, hints=hints))
    heard = any(s.speaker == "agent" and (s.words or s.text.strip()) for s in transcript.segments)
    if not heard:
        checks = {
            name: replace(c, state="uncertain", reason=NO_SPEECH_REASON, doubts=[NO_SPEECH_REASON])
            for name, c in checks.items()
        }
    content_end = content_ends_at(checks)
    classified = classify_sentences(transcript, intent_model) if intent_model is not None else []
    learned = find_intents(classified, ("empathy",), threshold=intent_threshold)
    empathy_found = merge_matches(find_agent_phrases(transcript, empathy), learned).get("empathy", [])
    return CallAnalysis(
        checks=checks,
        violations=find_remarks(transcript, forbidden, classified, intent_threshold=intent_threshold),
        empathy=empathy_found,
        dead_air=find_dead_air(transcript, min_gap_s=dead_air_min_s, activity=activity),
        holds=find_holds(transcript),
        talk=talk_stats(transcript, activity),
        sentiment={
            speaker: speaker_sentiment(
                transcript,
                speaker,
                sentiment_model,
                content_ends_at=content_end,
                mood_in_reply=script.mood_in_closing_reply,
                read_from=unredacted,
            )
            for speaker in ("caller", "agent")
        },
        sentiment_model=sentiment_model.name,
        intent_model=intent_model.name if intent_model is not None else "",
        agitation=agitation,
        status="ok" if heard else "no_speech",
    )
