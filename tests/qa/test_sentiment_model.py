"""The scikit-learn sentiment model: training, provenance, artifact round-trip, refusal of stale artifacts."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest
from sklearn.metrics import f1_score

from callqa.pipeline.qa_models import sentiment_model
from callqa.settings import Settings
from qa.exceptions import ScriptError, StaleModelError
from qa.sentiment import VaderSentiment
from qa.sentiment_model import SklearnSentiment, load_sentiment, read_labelled, train_sentiment
from tests.conftest import DEV_SET


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return train_sentiment(None)


@pytest.mark.dev_set
def test_packaged_training_data_never_contains_the_measurement_file() -> None:
    train, _, _ = read_labelled(None)
    dev, _, _ = read_labelled(DEV_SET / "sentiment-dev.tsv")
    normalise = {t.lower().strip(" .!?") for t in train}
    assert not normalise & {t.lower().strip(" .!?") for t in dev}


def test_model_records_its_training_data_and_library_version(model) -> None:  # type: ignore[no-untyped-def]
    import sklearn

    _, _, digest = read_labelled(None)
    assert model.data_sha256 == digest
    assert model.sklearn_version == sklearn.__version__
    assert model.n_samples > 300
    assert model.name.endswith(digest[:12])


def test_predicts_polarity_of_unseen_call_center_utterances(model) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "This is the fourth time I've rung and it's still broken, I'm livid.",
        "Could you tell me the opening hours of the Leeds branch?",
        "That's sorted everything, thank you ever so much.",
        "Oh fantastic, yet another bill I didn't expect.",
    ]
    assert model.predict(texts) == ["neg", "neu", "pos", "neg"]
    assert model.predict([]) == []


@pytest.mark.dev_set
def test_beats_vader_on_the_dev_file_it_never_saw(model) -> None:  # type: ignore[no-untyped-def]
    texts, labels, _ = read_labelled(DEV_SET / "sentiment-dev.tsv")
    ours = f1_score(labels, model.predict(texts), average="macro")
    vader = f1_score(labels, VaderSentiment().predict(texts), average="macro")
    assert ours >= 0.85
    assert ours > vader


def test_artifact_round_trip_predicts_the_same(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "models" / "sentiment.joblib"
    model.save(path)
    loaded = load_sentiment(path)
    sample = ["I am so angry", "thanks a lot", "my account number is one two three"]
    assert loaded.predict(sample) == model.predict(sample)
    assert loaded.data_sha256 == model.data_sha256


def test_artifact_from_another_sklearn_version_is_refused(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "old.joblib"
    model.save(path)
    state = joblib.load(path)
    state["sklearn_version"] = "0.24.0"
    joblib.dump(state, path)
    with pytest.raises(ScriptError, match="callqa train sentiment"):
        load_sentiment(path)


@pytest.mark.parametrize("saved", [None, "all-MiniLM-L6-v2-onnx-int8:000000000000"])
def test_artifact_of_another_or_no_embedding_model_is_refused(model, tmp_path: Path, saved) -> None:  # type: ignore[no-untyped-def]
    """An artifact from before the embedding block (no embedding model recorded), or one fitted on another
    model's vectors, would read these vectors as noise: refused, with what to run."""
    path = tmp_path / "old.joblib"
    model.save(path)
    state = joblib.load(path)
    if saved is None:
        del state["embedding_model"]
    else:
        state["embedding_model"] = saved
    joblib.dump(state, path)
    with pytest.raises(StaleModelError, match=r"embedding model.*callqa train sentiment"):
        load_sentiment(path)
    refitted = sentiment_model(Settings(sentiment_model_path=path))  # the pipeline fits a current one
    assert isinstance(refitted, SklearnSentiment) and refitted.embedding_model == model.embedding_model


def test_the_embedding_carries_a_mood_worded_outside_the_training_data(model) -> None:  # type: ignore[no-untyped-def]
    """Complaints in words the training file never uses (checked below), one as the recogniser garbled
    it: the TF-IDF and lexicon blocks alone (`embedding_weight=0`) read every one as neutral."""
    texts = [
        "This keeps happening.",
        "I'm coming up, this keeps happening.",
        "What a shambles.",
        "Same old story with you people.",
    ]
    train, _, _ = read_labelled(None)
    assert not {t.lower() for t in texts} & {t.lower() for t in train}
    assert model.predict(texts) == ["neg"] * 4


def test_malformed_training_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\tspeaker\ttext\npos\tcaller\tfine\nhappy\tcaller\tnot a label\n")
    with pytest.raises(ScriptError, match=r"bad\.tsv:3"):
        read_labelled(bad)
