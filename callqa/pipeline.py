"""The processing pipeline: audio → transcript → QA verdicts → score, and the JSON output contract.

`CallAnalyzer` wires the domain packages together from settings once per process (the ASR model is loaded
lazily on first use and then shared); it holds no database state, so `callqa analyze` needs no DB and the
worker reuses the same code before persisting.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from callqa.settings import Settings
from qa.acoustic import Agitation, caller_agitation, energy_speech_spans
from qa.analysis import CallAnalysis, analyze_transcript
from qa.intents import IntentModel, train_intents
from qa.metrics import Activity
from qa.phrases import PhraseSet, load_empathy_phrases, load_forbidden_phrases
from qa.script import Script, load_script
from qa.sentiment import SentimentModel
from qa.sentiment_model import load_sentiment, train_sentiment
from scoring.scorecard import CallScore, Scorecard, load_scorecard, score_call
from transcription.audio import CallAudio, load_call_audio, split_legs
from transcription.model_store import build_recognizer
from transcription.pipeline import transcribe_call
from transcription.recognizer import Recognizer, Segment, Transcript, Word


@dataclass(frozen=True)
class CallResult:
    """Everything the pipeline produced for one recording."""

    file: str
    transcript: Transcript
    analysis: CallAnalysis
    score: CallScore
    script: Script

    def to_contract(self) -> dict[str, Any]:
        """The `callqa analyze --json` object (see shared/dev-set/README.md for the contract)."""
        out: dict[str, Any] = {
            "file": self.file,
            "duration_s": round(self.transcript.duration_s, 3),
            "engine": self.transcript.engine,
            "transcript": [transcript_segment_dict(s) for s in self.transcript.segments],
        }
        out.update(self.analysis.to_contract_dict())
        out["score"] = round(self.score.total, 2)
        out["score_items"] = [item.to_dict() for item in self.score.items]
        out["script"] = {"id": self.script.id, "version": self.script.version}
        out["scorecard"] = {"id": self.score.scorecard_id, "version": self.score.scorecard_version}
        return out


def transcript_segment_dict(segment: Any) -> dict[str, Any]:
    """A transcript segment as plain JSON (times in seconds, rounded to ms)."""
    return {
        "speaker": segment.speaker,
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
        "text": segment.text,
        "confidence": round(segment.confidence, 3),
        "words": [w.to_dict(3) for w in segment.words],
    }


def transcript_from_contract(row: dict[str, Any]) -> Transcript:
    """Rebuild a `Transcript` from a `callqa analyze --json` object (to re-run QA without ASR)."""
    segments = tuple(
        Segment(
            speaker=seg["speaker"],
            start=float(seg["start"]),
            end=float(seg["end"]),
            text=seg["text"],
            words=tuple(Word.from_dict(w) for w in seg.get("words", [])),
            confidence=float(seg.get("confidence", 1.0)),
        )
        for seg in row["transcript"]
    )
    return Transcript(segments, float(row["duration_s"]), engine=str(row.get("engine", "")))


def sentiment_model(settings: Settings) -> SentimentModel:
    """The trained artifact when `callqa train sentiment` has written one, else a model fitted now from
    the packaged training data (a second or so; same data, same result)."""
    artifact = settings.sentiment_artifact
    if artifact.is_file():
        return load_sentiment(artifact)
    return train_sentiment(None)


class CallAnalyzer:
    """Runs the whole pipeline for recordings, configured from `Settings` (plus per-call overrides)."""

    def __init__(self, settings: Settings, *, recognizer: Recognizer | None = None) -> None:
        self._settings = settings
        self._recognizer = recognizer
        self._lock = threading.Lock()
        self.forbidden: PhraseSet = load_forbidden_phrases(None, settings.language)
        self.empathy: PhraseSet = load_empathy_phrases(None, settings.language)
        self.scorecard: Scorecard = load_scorecard(settings.scorecard_path)

    # The learned models are fitted (or loaded) on first use: processes that only transcribe (batch
    # transcription, `callqa listen`) never pay for them.
    @cached_property
    def sentiment(self) -> SentimentModel:
        return sentiment_model(self._settings)

    @cached_property
    def intents(self) -> IntentModel | None:
        """Trained on English; other languages rely on their phrase lists."""
        return train_intents(None) if self._settings.language == "en" else None

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def recognizer(self) -> Recognizer:
        """The ASR engine, built (and its model loaded) on first use."""
        with self._lock:
            if self._recognizer is None:
                s = self._settings
                self._recognizer = build_recognizer(
                    s.engine,
                    language=s.language,
                    vosk_model_path=s.vosk_model_path,
                    whisper_model_path=s.whisper_model_path,
                    threads=s.asr_threads,
                    whisper_beam_size=s.whisper_beam_size,
                    whisper_vad=s.whisper_vad,
                    cache_dir=s.models_dir,
                    vosk_alternatives=s.vosk_alternatives,
                )
            return self._recognizer

    def script_for(self, company: str | None, agent_name: str | None = None) -> Script:
        return load_script(
            self._settings.script_path,
            company=company or self._settings.company,
            agent_name=agent_name,
            language=self._settings.language,
        )

    def transcribe(
        self,
        path: Path,
        *,
        agent_channel: int | None = None,
        hints: Sequence[str] = (),
        phrases: Sequence[str] = (),
    ) -> Transcript:
        """Decode `path`; `hints` (company, agent name) and script `phrases` go to engines that use them."""
        return self._transcribe_audio(self._load(path), agent_channel, hints, phrases)

    def _load(self, path: Path) -> CallAudio:
        return load_call_audio(path, max_duration_s=self._settings.max_duration_s)

    def _transcribe_audio(
        self, audio: CallAudio, agent_channel: int | None, hints: Sequence[str], phrases: Sequence[str]
    ) -> Transcript:
        channel = self._settings.agent_channel if agent_channel is None else agent_channel
        return transcribe_call(
            audio,
            self.recognizer,
            agent_channel=channel,
            language=self._settings.language,
            hints=hints,
            phrases=phrases,
        )

    def analyze_transcript(
        self,
        transcript: Transcript,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        activity: Activity | None = None,
        agitation: Agitation | None = None,
    ) -> tuple[CallAnalysis, CallScore, Script]:
        """QA and scoring only: used after transcription and for re-scoring stored transcripts (which have
        no audio cues: `activity`/`agitation` are then None)."""
        script = self.script_for(company, agent_name)
        analysis = analyze_transcript(
            transcript,
            script,
            self.forbidden,
            self.empathy,
            sentiment_model=self.sentiment,
            dead_air_min_s=self._settings.dead_air_min_s,
            intent_model=self.intents,
            intent_threshold=self._settings.intent_threshold,
            activity=activity,
            agitation=agitation,
        )
        return analysis, score_call(analysis, self.scorecard), script

    def analyze_file(
        self,
        path: Path,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        agent_channel: int | None = None,
    ) -> CallResult:
        company = company or self._settings.company
        hints = [h for h in (company, agent_name) if h]
        audio = self._load(path)
        phrases = self.script_for(company, agent_name).literal_phrases()
        transcript = self._transcribe_audio(audio, agent_channel, hints, phrases)
        channel = self._settings.agent_channel if agent_channel is None else agent_channel
        legs = split_legs(audio, agent_channel=channel)
        activity: Activity = {
            speaker: energy_speech_spans(samples, audio.sample_rate) for speaker, samples in legs.items()
        }
        agitation = (
            caller_agitation(legs["caller"], audio.sample_rate, activity["caller"])
            if "caller" in legs
            else None
        )
        analysis, score, script = self.analyze_transcript(
            transcript, company=company, agent_name=agent_name, activity=activity, agitation=agitation
        )
        return CallResult(
            file=str(path), transcript=transcript, analysis=analysis, score=score, script=script
        )
