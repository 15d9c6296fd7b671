"""The QA models a process analyses with: the trained artifacts of `callqa train`, or, when one is missing or
stale, a model fitted now from the packaged data (the intent model saved for the next start). One embedder
per process, shared by both English models."""

from __future__ import annotations

import logging
from functools import lru_cache

from callqa.settings import Settings
from qa.embeddings import SentenceEmbedder
from qa.exceptions import StaleModelError
from qa.intent_model import IntentModel, load_intents, train_intents
from qa.intent_zh import ChineseIntentModel, load_chinese_intents, train_chinese_intents
from qa.sentiment import SentimentModel
from qa.sentiment_model import PACKAGED_DATA, load_sentiment, train_sentiment

logger = logging.getLogger(__name__)


def sentiment_model(settings: Settings) -> SentimentModel:
    """The trained artifact when `callqa train sentiment` has written one for the configured language,
    else a model fitted now from the packaged training data of that language (English for a language
    without one; a second or so; same data, same result)."""
    language = settings.language if settings.language in PACKAGED_DATA else "en"
    artifact = settings.sentiment_artifact
    embedder = shared_embedder() if language == "en" else None
    if artifact.is_file():
        try:
            model = load_sentiment(artifact, embedder=embedder)
        except StaleModelError as exc:
            logger.warning("%s; fitting one now from the packaged data", exc)
        else:
            if model.language == language:
                return model
            logger.warning(
                "%s is a %s model, calls are %s: fitting one now", artifact, model.language, language
            )
    return train_sentiment(None, language=language, embedder=embedder)


@lru_cache(maxsize=1)
def shared_embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


@lru_cache(maxsize=1)
def _packaged_intents() -> IntentModel:
    """Fitted once per process at most (about 10 s), only when no current artifact exists."""
    return train_intents(None, embedder=shared_embedder())


def intent_model(settings: Settings) -> IntentModel | ChineseIntentModel | None:
    """The intent artifact (`callqa train intents`); when it is missing or stale (trained on other data,
    embedding model or scikit-learn), a model fitted now from the packaged data, saved there for the next
    start. English and Chinese; other languages rely on their phrase lists."""
    if settings.language not in ("en", "zh"):
        return None
    artifact = settings.intent_artifact
    model: IntentModel | ChineseIntentModel
    if artifact.is_file():
        try:
            if settings.language == "zh":
                return load_chinese_intents(artifact)
            return load_intents(artifact, embedder=shared_embedder())
        except StaleModelError as exc:
            logger.warning("%s; refitting from the packaged data", exc)
    model = train_chinese_intents() if settings.language == "zh" else _packaged_intents()
    try:
        model.save(artifact)
    except OSError as exc:  # a read-only data dir still analyzes, it just refits next start
        logger.warning("could not save the intent model to %s: %s", artifact, exc)
    return model
