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

from callqa.pipeline.qa_models import intent_model, sentiment_model
from callqa.pipeline.second_opinion import reconsider_checks, reconsider_remarks
from callqa.settings import Settings
from qa.acoustic import Agitation, audio_cues, line_snr_db
from qa.analysis import CallAnalysis, analyze_transcript, element_judge
from qa.intent_model import IntentModel
from qa.intent_zh import ChineseIntentModel
from qa.metrics import Activity
from qa.phrases import PhraseSet, load_empathy_phrases, load_forbidden_phrases
from qa.pii.config import PiiConfig, load_pii_config
from qa.pii.redact import redact_transcript, redacted_speech, silence_spans
from qa.pii.spans import PiiSpan
from qa.script import Script, load_script_template
from qa.sentiment import SentimentModel
from scoring.scorecard import CallScore, Scorecard, load_scorecard, score_call
from transcription.audio import CallAudio, load_call_audio, split_legs
from transcription.decode_cache import CachedRecognizer
from transcription.model_store import build_recognizer, build_second_opinion
from transcription.pipeline import transcribe_legs
from transcription.recognizer import FloatArray, Recognizer, Speaker, Transcript


@dataclass(frozen=True)
class CallResult:
    """Everything the pipeline produced for one recording."""

    file: str
    transcript: Transcript
    analysis: CallAnalysis
    score: CallScore
    script: Script
    pii: tuple[PiiSpan, ...] = ()
    """Personal data found and redacted from `transcript` (and from the audio QA listened to)."""
    original: Transcript | None = None
    """The transcript before redaction, only when the policy keeps originals (`pii_policy`)."""

    def to_contract(self) -> dict[str, Any]:
        """The `callqa analyze --json` object (see shared/dev-set/README.md for the contract)."""
        out: dict[str, Any] = {
            "file": self.file,
            "duration_s": round(self.transcript.duration_s, 3),
            "engine": self.transcript.engine,
            "transcript": transcript_view(self.transcript),
        }
        out.update(self.analysis.to_contract_dict())
        out["score"] = round(self.score.total, 2)
        out["score_items"] = [item.to_dict() for item in self.score.items]
        out["script"] = {"id": self.script.id, "version": self.script.version}
        out["scorecard"] = {"id": self.score.scorecard_id, "version": self.score.scorecard_version}
        out["pii"] = [span.to_dict() for span in self.pii]
        return out


# The contract's transcript: each segment's fields in the order the contract first listed them, times
# and confidences rounded to ms / 0.001. A view of `Transcript.to_json`, so it is parsed back by the same
# codec (`transcript_from_contract`).
_SEGMENT_VIEW = ("speaker", "start", "end", "text", "confidence", "words", "alternatives")


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def transcript_view(transcript: Transcript) -> list[dict[str, Any]]:
    """The transcript segments of the `callqa analyze --json` contract (n-best alternatives included)."""
    return [{k: _rounded(seg[k]) for k in _SEGMENT_VIEW} for seg in transcript.to_json()["segments"]]


def transcript_from_contract(row: dict[str, Any]) -> Transcript:
    """Rebuild a `Transcript` from a `callqa analyze --json` object (to re-run QA without ASR)."""
    return Transcript.from_json(
        {"segments": row["transcript"], "duration_s": row["duration_s"], "engine": row.get("engine", "")}
    )


class CallAnalyzer:
    """Runs the whole pipeline for recordings, configured from `Settings` (plus per-call overrides)."""

    def __init__(self, settings: Settings, *, recognizer: Recognizer | None = None) -> None:
        self._settings = settings
        self._recognizer = recognizer
        self._lock = threading.Lock()
        self.forbidden: PhraseSet = load_forbidden_phrases(None, settings.language)
        self.empathy: PhraseSet = load_empathy_phrases(None, settings.language)
        self.scorecard: Scorecard = load_scorecard(settings.scorecard_path, settings.language)

    # The learned models are fitted (or loaded) on first use: processes that only transcribe (batch
    # transcription, `callqa listen`) never pay for them.
    @cached_property
    def sentiment(self) -> SentimentModel:
        return sentiment_model(self._settings)

    @cached_property
    def intents(self) -> IntentModel | ChineseIntentModel | None:
        return intent_model(self._settings)

    @cached_property
    def second_recognizer(self) -> Recognizer | None:
        """Another model for second readings of doubtful windows (None when off or not installed)."""
        s = self._settings
        if not s.second_opinion:
            return None
        second = build_second_opinion(
            self.recognizer,
            language=s.language,
            model_path=s.second_opinion_model_path,
            cache_dir=s.models_dir,
            threads=s.asr_threads,
            whisper_beam_size=s.whisper_beam_size,
        )
        if second is None or s.second_opinion_cache is None:
            return second
        key = f"language={s.language};beam={s.whisper_beam_size}"
        return CachedRecognizer(second, s.second_opinion_cache, settings_key=key)

    @cached_property
    def pii_config(self) -> PiiConfig:
        return load_pii_config()

    def find_personal_data(self, transcript: Transcript) -> list[PiiSpan]:
        """Personal data in `transcript` (none when the policy is 'off')."""
        if self._settings.pii_policy == "off" or not transcript.segments:
            return []
        from qa.pii.detect import find_pii  # Presidio (and spaCy) load on the first call, not at import

        return find_pii(transcript, self.pii_config, min_score=self._settings.pii_min_score)

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
                    whisper_temperature_fallback=s.whisper_temperature_fallback,
                    cache_dir=s.models_dir,
                    vosk_alternatives=s.vosk_alternatives,
                )
            return self._recognizer

    @cached_property
    def script(self) -> Script:
        """The call script as parsed, once per process (placeholders intact; see `script_for`)."""
        return load_script_template(self._settings.script_path, language=self._settings.language)

    def script_for(
        self, company: str | None, agent_name: str | None = None, agent_number: str | None = None
    ) -> Script:
        """The script for one call: `company` (default: settings), `agent_name` and the agent's work number
        `agent_number` filled in."""
        return self.script.for_call(company or self._settings.company, agent_name, agent_number)

    def transcribe(
        self,
        path: Path,
        *,
        agent_channel: int | None = None,
        hints: Sequence[str] = (),
        phrases: Sequence[str] = (),
    ) -> Transcript:
        """Decode `path`; `hints` (company, agent name) and script `phrases` go to engines that use them."""
        audio = self._load(path)
        return self._transcribe_legs(self._legs(audio, agent_channel), audio, hints, phrases)

    def _load(self, path: Path) -> CallAudio:
        return load_call_audio(
            path,
            max_rate=self._settings.decode_max_rate_hz,
            max_duration_s=self._settings.max_duration_s,
        )

    def _legs(self, audio: CallAudio, agent_channel: int | None) -> dict[Speaker, FloatArray]:
        channel = self._settings.agent_channel if agent_channel is None else agent_channel
        return split_legs(audio, agent_channel=channel)

    def _transcribe_legs(
        self,
        legs: dict[Speaker, FloatArray],
        audio: CallAudio,
        hints: Sequence[str],
        phrases: Sequence[str],
    ) -> Transcript:
        return transcribe_legs(
            legs,
            audio.sample_rate,
            self.recognizer,
            duration_s=audio.duration_s,
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
        agent_number: str | None = None,
        activity: Activity | None = None,
        agitation: Agitation | None = None,
        caller_snr_db: float | None = None,
        scorecard: Scorecard | None = None,
    ) -> tuple[CallAnalysis, CallScore, Script]:
        """QA and scoring only: used after transcription and for re-scoring stored transcripts (which have
        no audio cues: `activity`/`agitation`/`caller_snr_db` are then None). `scorecard`: the card to
        score with (default: the one read from settings; the worker passes the stored active version)."""
        analysis, script = self._qa(
            transcript, company, agent_name, agent_number, activity, agitation, caller_snr_db
        )
        return analysis, score_call(analysis, scorecard or self.scorecard), script

    def _qa(
        self,
        transcript: Transcript,
        company: str | None,
        agent_name: str | None,
        agent_number: str | None,
        activity: Activity | None,
        agitation: Agitation | None,
        caller_snr_db: float | None = None,
        unredacted: Transcript | None = None,
    ) -> tuple[CallAnalysis, Script]:
        script = self.script_for(company, agent_name, agent_number)
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
            caller_snr_db=caller_snr_db,
            unredacted=unredacted,
        )
        return analysis, script

    def analyze_file(
        self,
        path: Path,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        agent_number: str | None = None,
        agent_channel: int | None = None,
        transcript: Transcript | None = None,
        scorecard: Scorecard | None = None,
    ) -> CallResult:
        """The whole pipeline for one recording. With `transcript` (an earlier decoding of this file) the
        first decoding is skipped and everything after it — audio cues, QA, second readings, score — runs
        on the audio as usual (re-judging stored calls, evaluation without a full decode). `scorecard`: the
        card to score with (default: the one read from settings)."""
        company = company or self._settings.company
        hints = [h for h in (company, agent_name) if h]
        audio = self._load(path)
        legs = self._legs(audio, agent_channel)
        if transcript is None:
            phrases = self.script_for(company, agent_name).literal_phrases()
            transcript = self._transcribe_legs(legs, audio, hints, phrases)
        # Personal data leaves before QA sees the call: evidence, second readings and every stored record
        # are made from the redacted transcript and audio. What stores no word or sample (speech timing,
        # loudness, pitch, sentiment labels) is measured on the call as it was said: silenced answers
        # would read as dead air and a redacted sentence as neutral.
        said, said_legs = transcript, legs
        pii = self.find_personal_data(transcript)
        original = transcript if self._settings.pii_policy == "redacted_and_original" else None
        if pii:
            transcript = redact_transcript(transcript, pii)
            channel = self._settings.agent_channel if agent_channel is None else agent_channel
            audio = silence_spans(audio, pii, agent_channel=channel, pad_s=self._settings.pii_audio_pad_s)
            legs = self._legs(audio, agent_channel)
        activity, agitation = audio_cues(said_legs, audio.sample_rate)
        # A stored call judged again comes redacted, its recording silenced where it was: that silence was
        # speech, not dead air.
        for speaker, spans in redacted_speech(said).items():
            activity[speaker] = sorted([*activity.get(speaker, []), *spans])
        snr = line_snr_db(said_legs.get("caller"), audio.sample_rate)
        analysis, script = self._qa(
            transcript, company, agent_name, agent_number, activity, agitation, snr, unredacted=said
        )
        if self.second_recognizer is not None:
            analysis = reconsider_checks(
                analysis,
                transcript,
                legs,
                audio.sample_rate,
                script,
                self.second_recognizer,
                activity=activity,
                judge=element_judge(self.intents, self._settings.intent_threshold),
            )
            if self._settings.second_opinion_remarks and "agent" in legs:
                analysis = reconsider_remarks(
                    analysis,
                    transcript,
                    legs["agent"],
                    audio.sample_rate,
                    self.second_recognizer,
                    forbidden=self.forbidden,
                    intents=self.intents,
                    intent_threshold=self._settings.intent_threshold,
                    min_probability=self._settings.second_opinion_remark_probability,
                )
        score = score_call(analysis, scorecard or self.scorecard)  # once, after second readings
        return CallResult(
            file=str(path),
            transcript=transcript,
            analysis=analysis,
            score=score,
            script=script,
            pii=tuple(pii),
            original=original,
        )
