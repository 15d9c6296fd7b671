"""Each call is judged in its own language: the one given at ingest, else its routed hotline call's, else
the deployment's; one worker process judges English and Chinese calls side by side (real audio: an espeak-ng
Mandarin call decoded by the multilingual whisper model while the deployment's language is English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from callqa.services.demo import render_call
from callqa.services.ingest import CallOrigin, UnknownLanguageError, ingest_recording
from callqa.services.processing import make_worker
from callqa.settings import Settings
from models import Call, HotlineCall, make_engine, make_session_factory
from tests.conftest import create_agent, write_tone_call

ZH_TURNS = [
    ["agent", "您好，星海电信，一零二四号为您服务。", 0.5],
    ["caller", "我的宽带断了。", 0.6],
    ["agent", "感谢您的来电，再见。", 0.6],
]


def test_the_language_given_then_the_routed_calls_then_the_deployments(
    session: Session, tmp_path: Path
) -> None:
    agent = create_agent(session)
    store = tmp_path / "recordings"
    given = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "a.wav", hz=300),
        recordings_dir=store,
        agent_id=agent.id,
        language="zh",
    )
    session.add(HotlineCall(caller_number="+86 10 5555 0101", pbx_call_id="pbx-zh-1", language="zh"))
    session.flush()
    routed = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "b.wav", hz=310),
        recordings_dir=store,
        agent_id=agent.id,
        default_language="en",
        origin=CallOrigin(pbx_call_id="pbx-zh-1"),
    )
    default = ingest_recording(
        session,
        source=write_tone_call(tmp_path / "c.wav", hz=320),
        recordings_dir=store,
        agent_id=agent.id,
        default_language="zh",
    )
    assert (given.language, routed.language, default.language) == ("zh", "zh", "zh")
    with pytest.raises(UnknownLanguageError, match=r"'fr'.*known: en, zh"):
        ingest_recording(
            session,
            source=write_tone_call(tmp_path / "d.wav", hz=330),
            recordings_dir=store,
            agent_id=agent.id,
            language="fr",
        )


def test_one_worker_judges_a_chinese_and_an_english_call_each_by_its_own_script(tmp_path: Path) -> None:
    from models.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    zh_wav = tmp_path / "zh.wav"
    # espeak-ng's "cmn" voice reads each character's pinyin as English ("nin two hao three"), which whisper
    # wrote as Latin letters and digits on a CI machine; "cmn-latn-pinyin" speaks Mandarin tones.
    render_call(ZH_TURNS, "cmn-latn-pinyin", "cmn-latn-pinyin+f3", zh_wav)
    # One reading per run: whisper's temperature fallback samples.
    settings = Settings(
        data_dir=tmp_path,
        language="en",
        company="星海电信",
        second_opinion=False,
        whisper_temperature_fallback=False,
    )
    with factory() as s:
        agent = create_agent(s, "Alice Moreau")
        agent.employee_no = "1024"
        zh = ingest_recording(
            s, source=zh_wav, recordings_dir=settings.recordings_dir, agent_id=agent.id, language="zh"
        ).id
        en = ingest_recording(
            s,
            source=write_tone_call(tmp_path / "en.wav", hz=350),
            recordings_dir=settings.recordings_dir,
            agent_id=agent.id,
            default_language=settings.language,
        ).id
        s.commit()
    worker = make_worker(settings, factory)
    assert worker.run_once() and worker.run_once()
    with factory() as s:
        zh_call, en_call = s.get(Call, zh), s.get(Call, en)
        assert zh_call is not None and en_call is not None
        assert zh_call.status == "done" and en_call.status == "done"
        assert zh_call.qa_result is not None and en_call.qa_result is not None
        assert zh_call.qa_result.script_id == "zh-default"
        assert en_call.qa_result.script_id == "en-default"
        agent_text = " ".join(seg.text for seg in zh_call.segments if seg.speaker == "agent")
        assert re.search(r"[\u4e00-\u9fff]", agent_text), agent_text


def test_a_call_in_another_language_is_judged_with_the_companys_name_in_it(tmp_path: Path) -> None:
    from callqa.pipeline.analyzers import AnalyzersByLanguage

    settings = Settings(data_dir=tmp_path, company="Starsea Telecom", company_by_language={"zh": "星海电信"})
    analyzers = AnalyzersByLanguage(settings)
    assert analyzers.for_language("zh").script_for(None, None).company == "星海电信"
    assert analyzers.for_language("en").script_for(None, None).company == "Starsea Telecom"
    assert analyzers.for_language("fr") is analyzers.for_language("en")  # no French script: the default


def test_explicit_model_and_script_paths_stay_with_the_settings_own_language(tmp_path: Path) -> None:
    from callqa.pipeline.analyzers import LANGUAGE_BOUND, AnalyzersByLanguage

    paths = {field: tmp_path / f"{field}.bin" for field in LANGUAGE_BOUND}
    settings = Settings(data_dir=tmp_path, company="Starsea Telecom", **paths)  # type: ignore[arg-type]
    analyzers = AnalyzersByLanguage(settings)
    english, chinese = analyzers.for_language("en").settings, analyzers.for_language("zh").settings
    assert english.intent_artifact == paths["intent_model_path"]
    assert all(getattr(english, field) == path for field, path in paths.items())
    assert all(getattr(chinese, field) is None for field in LANGUAGE_BOUND)
    assert chinese.intent_artifact == tmp_path / "models" / "intents_zh.joblib"
    assert chinese.sentiment_artifact == tmp_path / "models" / "sentiment_zh.joblib"
