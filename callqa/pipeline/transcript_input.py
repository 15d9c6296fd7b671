"""Analysing transcripts given instead of audio (`callqa analyze --transcript`, `callqa eval
--from-transcripts`): one analyzer per language the transcripts name, each configured as the settings
would be for that language (its script, scorecard, phrase lists and models)."""

from __future__ import annotations

from pathlib import Path

from callqa.pipeline.analyzer import CallResult
from callqa.pipeline.analyzers import AnalyzersByLanguage
from transcription.recognizer import Transcript
from transcription.reference import read_transcript


class TranscriptAnalyzers(AnalyzersByLanguage):
    """Analyzers by language that also take transcripts from files."""

    def analyze(
        self,
        path: Path,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        agent_number: str | None = None,
    ) -> CallResult:
        """QA and score of the transcript in `path` (turns JSON or WebVTT; TranscriptFormatError when
        unreadable), judged by the script of the language it names (else the settings' language)."""
        transcript = read_transcript(path, language=self.settings.language)
        return self.analyze_transcript(
            transcript, str(path), company=company, agent_name=agent_name, agent_number=agent_number
        )

    def analyze_transcript(
        self,
        transcript: Transcript,
        file: str,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        agent_number: str | None = None,
    ) -> CallResult:
        analyzer = self.for_language(transcript.language)
        analysis, score, script = analyzer.analyze_transcript(
            transcript, company=company, agent_name=agent_name, agent_number=agent_number
        )
        return CallResult(file=file, transcript=transcript, analysis=analysis, score=score, script=script)
