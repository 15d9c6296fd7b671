"""Re-judging a stored call (`callqa rescore --since`): with its recording, the second readings run as in the
worker; without it, the checks nobody could hear again are named; a purged call is refused, not crashed on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy.orm import Session

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.ingest import ingest_recording
from callqa.services.processing import process_call, rescore_call
from callqa.services.retention import purge_older_than
from callqa.settings import Settings
from models import Call, utcnow
from qa.service import load_analysis
from tests.conftest import create_agent, write_tone_call
from transcription.recognizer import FloatArray, Utterance, Word

SAID = ["okay", "sure"]


class VagueRecognizer:
    """Hears "okay sure" early and late on every leg: no greeting and no closing element, so both checks
    stay short of a certain PASS and a second reading is asked for (the audio is real tones)."""

    name = "fake:vague"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        self.calls += 1
        end_s = len(samples) / sample_rate
        out = []
        for start in (0.2, max(0.2, end_s - 1.0)):
            words = tuple(
                Word(w, start + 0.3 * i, start + 0.3 * i + 0.25, conf=0.9) for i, w in enumerate(SAID)
            )
            out.append(Utterance(start=start, end=words[-1].end, text=" ".join(SAID), words=words))
        return out


def test_rescore_hears_again_with_the_recording_and_names_what_it_could_not_without(
    session: Session, tmp_path: Path, trained: dict[str, str]
) -> None:
    settings = Settings(data_dir=tmp_path, pii_policy="off", second_opinion=True, **trained)  # type: ignore[arg-type]
    analyzer = CallAnalyzer(settings, recognizer=VagueRecognizer())
    second = VagueRecognizer()
    analyzer.__dict__["second_recognizer"] = second  # the real second reader is tested in tests/qa
    agent = create_agent(session)
    call = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "call.wav", seconds=6.0),
        recordings_dir=settings.recordings_dir,
        agent_id=agent.id,
    )
    process_call(session, call, analyzer)
    session.flush()
    in_doubt = {n for n, c in load_analysis(session, call.id).checks.items() if c.state != "pass"}  # type: ignore[union-attr]
    assert {"greeting", "closing"} <= in_doubt and second.calls > 0

    heard = second.calls
    done = rescore_call(session, call, analyzer)
    assert done.with_audio and done.unverified == ()
    assert second.calls > heard  # the doubtful checks were heard again on the recording

    assert call.recording is not None
    (settings.recordings_dir / call.recording.path).unlink()
    heard = second.calls
    done = rescore_call(session, call, analyzer)
    assert not done.with_audio and second.calls == heard
    judged = load_analysis(session, call.id)
    assert judged is not None and {"greeting", "closing"} <= set(done.unverified)
    assert all(judged.checks[name].state != "pass" for name in done.unverified)

    purge_older_than(
        session, days=0, now=utcnow() + timedelta(days=1), recordings_dir=settings.recordings_dir
    )
    session.expire_all()
    with pytest.raises(LookupError, match="no stored transcript"):
        rescore_call(session, session.get(Call, call.id), analyzer)  # type: ignore[arg-type]


class CardReader:
    """The caller reads a card number slowly from 2 s to 10.6 s (one digit every 0.6 s) over real tones;
    the agent speaks before and after. Nothing else is heard."""

    name = "fake:card"

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        end_s = len(samples) / sample_rate
        if end_s < 12.0:  # a second reading of a window: nothing new heard
            return []
        digits = "4111111111111111"
        said = ["my", "card", "number", "is", *digits]
        words = tuple(Word(w, 1.0 + 0.6 * i, 1.0 + 0.6 * i + 0.45, conf=0.95) for i, w in enumerate(said))
        return [Utterance(start=words[0].start, end=words[-1].end, text=" ".join(said), words=words)]


def test_rescoring_a_redacted_call_does_not_hear_the_silenced_card_as_dead_air(
    session: Session, tmp_path: Path, trained: dict[str, str]
) -> None:
    # The served recording has the card number silenced on the caller's channel; judging it again must
    # not read that silence (about 10 s with the quiet around it; 8 s is dead air here) as dead air.
    settings = Settings(
        data_dir=tmp_path,
        pii_policy="redacted",
        second_opinion=False,
        dead_air_min_s=8.0,
        **trained,  # type: ignore[arg-type]
    )
    analyzer = CallAnalyzer(settings, recognizer=CardReader())
    agent = create_agent(session)
    call = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "call.wav", seconds=16.0),
        recordings_dir=settings.recordings_dir,
        agent_id=agent.id,
    )
    process_call(session, call, analyzer)
    session.flush()
    first = load_analysis(session, call.id)
    assert first is not None and first.dead_air == []
    assert call.recording is not None
    served, rate = sf.read(settings.recordings_dir / call.recording.path)
    assert np.abs(served[int(5 * rate) : int(9 * rate), 1]).max() == 0.0  # the card was silenced

    rescore_call(session, call, analyzer)
    assert load_analysis(session, call.id).dead_air == []  # type: ignore[union-attr]
