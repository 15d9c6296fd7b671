"""Fixtures shared by the composition-root tests."""

from __future__ import annotations

import pytest

from callqa.settings import Settings


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Model artifacts fitted once per session (settings names → paths), so each child process loads them
    instead of fitting its own: the intent model's fit takes minutes of CPU, and a child that fits inside a
    command's timeout measures the machine's load, not the command."""
    from callqa.pipeline.analyzer import intent_model
    from qa.sentiment_model import train_sentiment

    folder = tmp_path_factory.mktemp("models")
    train_sentiment(None).save(folder / "sentiment.joblib")
    intent_model(Settings(data_dir=folder, intent_model_path=folder / "intents.joblib"))
    return {
        "sentiment_model_path": str(folder / "sentiment.joblib"),
        "intent_model_path": str(folder / "intents.joblib"),
    }
