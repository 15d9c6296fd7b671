"""One `CallAnalyzer` per call language, built on first use: a deployment takes calls in several languages
(a hotline routes Chinese and English callers alike), and each call is judged by the script, scorecard,
phrase lists, models and recogniser of its own language, not by the deployment's default."""

from __future__ import annotations

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.settings import Settings
from qa.script import packaged_languages

LANGUAGE_BOUND = (
    "vosk_model_path",
    "whisper_model_path",
    "sentiment_model_path",
    "intent_model_path",
    "script_path",
)


class AnalyzersByLanguage:
    """`CallAnalyzer`s by language code, each configured as `settings` would be for that language.
        `default` (optional) is the analyzer already built for the settings' own language (tests give one with
        a stand-in recogniser; a worker shares its one model). A language with no packaged script falls back
        to the settings' language; the company's name is the one `company_by_language` gives for it. Explicit
    model and script paths (`LANGUAGE_BOUND`) belong to the settings' own language: another language uses its
    packaged defaults (an English intent artifact read as Chinese was refitted and overwritten with a Chinese
    model, which English then refitted again)."""

    def __init__(self, settings: Settings, default: CallAnalyzer | None = None) -> None:
        self._settings = settings
        self._by_language: dict[str, CallAnalyzer] = {}
        if default is not None:
            self._by_language[settings.language] = default

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def default(self) -> CallAnalyzer:
        return self.for_language(self._settings.language)

    def for_language(self, language: str | None) -> CallAnalyzer:
        """The analyzer for `language` (None or unknown: the settings' language)."""
        if language not in packaged_languages():
            language = self._settings.language
        assert language is not None
        if language not in self._by_language:
            company = self._settings.company_by_language.get(language, self._settings.company)
            own = dict.fromkeys(LANGUAGE_BOUND) if language != self._settings.language else {}
            settings = self._settings.model_copy(update={"language": language, "company": company, **own})
            self._by_language[language] = CallAnalyzer(settings)
        return self._by_language[language]
