"""Fixtures shared by the composition-root tests."""

from __future__ import annotations

import pytest

from tests.fitted import fitted_models


@pytest.fixture(scope="session")
def trained() -> dict[str, str]:
    """The session's fitted English artifacts as settings (names → paths), for a child process whose data
    dir is not its own (`tests.fitted`): each child loads them instead of fitting its own."""
    folder = fitted_models()
    return {
        "sentiment_model_path": str(folder / "sentiment.joblib"),
        "intent_model_path": str(folder / "intents.joblib"),
    }
