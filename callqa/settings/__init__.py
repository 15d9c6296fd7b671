"""Application settings: read once from `CALLQA_*` environment variables and `.env`, then passed down.

Domain packages never read these; the composition root (CLI, API factory, worker) hands them the values.
The fields live by concern in this package's modules (speech, privacy, live, center, server, workers);
`Settings` mixes them into one object read from one environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from callqa.settings.center import CenterSettings
from callqa.settings.live import LiveSettings
from callqa.settings.privacy import PrivacySettings
from callqa.settings.secret import SecretKeyError, with_secret_key
from callqa.settings.server import ServerSettings
from callqa.settings.speech import SpeechSettings
from callqa.settings.workers import WorkerSettings

__all__ = ["ORIGINALS_FOLDER", "SecretKeyError", "Settings", "get_settings", "with_secret_key"]


class Settings(
    SpeechSettings,
    PrivacySettings,
    LiveSettings,
    CenterSettings,
    ServerSettings,
    WorkerSettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(env_prefix="CALLQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Database file, stored recordings, models cache."
    )
    database_url: str | None = Field(
        default=None, description="Any SQLAlchemy URL; default SQLite in data_dir."
    )

    @property
    def signing_key(self) -> str:
        """The secret that signs session tokens; set at start-up by `with_secret_key`."""
        if self.secret_key is None:
            raise SecretKeyError("no secret key yet: start through with_secret_key(settings)")
        return self.secret_key

    @property
    def db_url(self) -> str:
        """The effective SQLAlchemy URL."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'callqa.db').resolve()}"

    @property
    def db_pool_size(self) -> int:
        """Connections kept: one per request thread plus the background threads (worker, its heartbeat,
        the hotline ticker and leader lease, metrics), so a burst of requests never starves the worker."""
        return self.server_threads + 8

    @property
    def sentiment_artifact(self) -> Path:
        return (
            self.sentiment_model_path or self.data_dir / "models" / f"sentiment{self._language_suffix}.joblib"
        )

    @property
    def intent_artifact(self) -> Path:
        return self.intent_model_path or self.data_dir / "models" / f"intents{self._language_suffix}.joblib"

    @property
    def _language_suffix(self) -> str:
        """Default artifacts are per language (English keeps its unsuffixed names)."""
        return "" if self.language == "en" else f"_{self.language}"

    @property
    def models_dir(self) -> Path:
        """Pulled and joined speech models (`callqa models`)."""
        return self.data_dir / "models"

    @property
    def recordings_dir(self) -> Path:
        """The recording store's root (layout: `callqa.services.storage`)."""
        return self.storage_dir or self.data_dir / "recordings"

    @property
    def originals_dir(self) -> Path:
        """Unredacted recordings, kept only under `pii_policy` 'redacted_and_original' (admins only): a
        folder of the recording store (`ORIGINALS_FOLDER`), so every machine mounting the store reads them."""
        return self.recordings_dir / ORIGINALS_FOLDER


ORIGINALS_FOLDER = "originals"
"""The recording store's folder of kept originals (recordings_dir/originals/YYYY/MM/DD/<hex>.wav)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use (not at import)."""
    return Settings()
