"""Model artifacts fitted once per test session and handed to the processes tests start (servers, workers,
CLI commands). The intent model's fit takes minutes of CPU; every child analysing an English call used to
fit its own, inside the test's timeouts. The test process fits once (the fit is shared with the in-process
analysers, `callqa.pipeline.qa_models._packaged_intents`), and children load the saved artifact. Fitting from
scratch is still tested where it is the subject: tests/qa/test_intents.py, `callqa train intents` and
`callqa train sentiment` in tests/callqa/cli/test_cli.py."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

ARTIFACTS = ("intents.joblib", "sentiment.joblib")
"""The English artifacts' file names, as a data dir's models folder holds them."""


@lru_cache(maxsize=1)
def fitted_models() -> Path:
    """The folder holding the session's English artifacts (`ARTIFACTS`), fitted on first use; removed when
    the test process exits."""
    from callqa.pipeline.qa_models import intent_model
    from callqa.settings import Settings
    from qa.sentiment_model import train_sentiment

    folder = Path(tempfile.mkdtemp(prefix="callqa-fitted-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    train_sentiment(None).save(folder / "sentiment.joblib")
    intent_model(Settings(data_dir=folder, language="en", intent_model_path=folder / "intents.joblib"))
    return folder


def provide_models(data_dir: Path) -> None:
    """Put the session's English artifacts where a process with data dir `data_dir` looks first
    (`data_dir/models`, the settings' defaults). Copies, not links: a process that refits (another
    language's model goes beside them) writes its own files, never the shared ones."""
    target = data_dir / "models"
    target.mkdir(parents=True, exist_ok=True)
    for name in ARTIFACTS:
        if not (target / name).exists():
            shutil.copyfile(fitted_models() / name, target / name)
