"""Fixtures shared by the QA tests: the real intent model, fitted once per test session."""

from __future__ import annotations

import pytest

from qa.intent_model import IntentModel, train_intents


@pytest.fixture(scope="session")
def intents() -> IntentModel:
    """The intent model trained on the packaged sentences with the real embedding model (~10–20 s)."""
    return train_intents(None)
