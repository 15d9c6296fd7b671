"""The worker scores each call on the scorecard version active when it scores it, and never on a card
being edited: an editor saves a half-changed draft, completes it and publishes it, over and over, while the
real worker scores calls. Every stored score equals a published version item for item."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.ingest import ingest_recording
from callqa.services.processing import make_worker
from callqa.settings import Settings
from models import CallScore, ScorecardVersion, make_engine, make_session_factory
from scoring.scorecard import load_scorecard, scorecard_to_data
from scoring.versions import current_scorecard, publish_draft, save_draft
from tests.conftest import create_agent, fresh_database, write_tone_call
from transcription.recognizer import FloatArray, Utterance, Word

CALLS = 3
GREETING = "thank you for calling acme this is tom"


class GreetingRecognizer:
    """Hears a greeting on every leg (the audio is tones; what it says is scripted)."""

    name = "fake:greeting"

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        words = tuple(Word(w, 0.2 + 0.3 * i, 0.45 + 0.3 * i) for i, w in enumerate(GREETING.split()))
        return [Utterance(start=0.2, end=words[-1].end, text=GREETING, words=words)]


def weighted(weight: int, *, half: bool = False) -> dict[str, object]:
    """The default card with every item (or only its first half) weighing `weight`."""
    data = scorecard_to_data(load_scorecard(None))
    items = data["items"]
    for item in items[: len(items) // 2] if half else items:
        item["weight"] = weight
    return data


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_calls_scored_while_the_card_is_edited_get_whole_published_versions(
    backend: str, tmp_path: Path
) -> None:
    url = fresh_database(backend, tmp_path)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # No personal-data pass: the test is about the scorecard, and the PII model's load would dominate it.
    settings = Settings(
        data_dir=tmp_path / "data", second_opinion=False, review_sample_rate=0.0, pii_policy="off"
    )
    with factory() as s:
        agent = create_agent(s)
        for n in range(CALLS):
            ingest_recording(
                s,
                source=write_tone_call(tmp_path / f"{n}.wav", hz=300 + 10 * n),
                recordings_dir=settings.recordings_dir,
                agent_id=agent.id,
            )
        current_scorecard(s, load_scorecard(None))  # version 2, from the YAML file
        s.commit()

    stop, published = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def edit_and_publish() -> None:
        weight = 1
        try:
            while not stop.is_set():
                weight += 1
                with factory() as s:  # half the items changed, saved: a draft a person is working on
                    draft = save_draft(s, "default", weighted(weight, half=True), user_id=None, based_on=None)
                    s.commit()
                with factory() as s:  # the rest changed, then published
                    save_draft(s, "default", weighted(weight), user_id=None, based_on=None, draft_id=draft.id)
                    s.commit()
                with factory() as s:
                    publish_draft(s, draft.id, user_id=None)
                    s.commit()
                published.set()
                stop.wait(0.2)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            published.set()

    editor = threading.Thread(target=edit_and_publish)
    editor.start()
    try:
        assert published.wait(60)
        worker = make_worker(settings, factory, CallAnalyzer(settings, recognizer=GreetingRecognizer()))
        for _ in range(CALLS):
            assert worker.run_once()
    finally:
        stop.set()
        editor.join(60)
    assert not failures, failures
    with factory() as s:
        scores = list(s.scalars(select(CallScore)))
        versions = {v.version: v for v in s.scalars(select(ScorecardVersion))}
    assert len(scores) == CALLS
    for score in scores:
        stored = versions[score.scorecard_version]
        assert stored.state == "published"
        assert [i["weight"] for i in score.items] == [i["weight"] for i in stored.definition["items"]]
        if score.scorecard_version != "2":
            assert len({i["weight"] for i in score.items}) == 1, score.items  # never a half-edited card
    assert any(s.scorecard_version != "2" for s in scores)  # the stored versions score, not the YAML file
    engine.dispose()
