"""The verdict logic on every dev-set call's reference turns (separates logic errors from ASR errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.analysis import analyze_transcript
from qa.intent_model import IntentModel
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from tests.conftest import DEV_SET
from tests.qa.helpers import QA_NUMBERS, reference_transcript

CALLS = sorted((DEV_SET / "calls").glob("*.json"))


@pytest.mark.skipif(not CALLS, reason="shared/dev-set not present")
@pytest.mark.parametrize("with_intents", [True, False], ids=["phrases+model", "phrases-only"])
@pytest.mark.parametrize("with_company", [True, False], ids=["company-known", "company-unknown"])
def test_reference_turns_get_the_labelled_verdicts(
    with_company: bool, with_intents: bool, intents: IntentModel
) -> None:
    forbidden, empathy, sentiment = load_forbidden_phrases(None), load_empathy_phrases(None), VaderSentiment()
    model = intents if with_intents else None
    disagreements = []
    for label_file in CALLS:
        transcript, labels = reference_transcript(Path(label_file))
        script = load_script(None, company=str(labels["company"]) if with_company else None)
        a = analyze_transcript(
            transcript,
            script,
            forbidden,
            empathy,
            sentiment_model=sentiment,
            intent_model=model,
            **QA_NUMBERS,
        )
        got = {
            "greeting": a.checks["greeting"].passed,
            "closing": a.checks["closing"].passed,
            "forbidden": sorted({v.category for v in a.violations}),
            "empathy": a.has_empathy,
            "dead_air": bool(a.dead_air),
        }
        want = {k: sorted(labels[k]) if k == "forbidden" else labels[k] for k in got}  # type: ignore[call-overload]
        disagreements += [f"{label_file.stem} {k}: {got[k]} != {want[k]}" for k in got if got[k] != want[k]]
    assert disagreements == []
