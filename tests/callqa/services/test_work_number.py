"""The agent's work number flows from the agent record into the Chinese script's greeting check."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.services.jobs import agent_work_number
from callqa.settings import Settings
from tests.conftest import create_agent
from tests.qa.helpers import make_transcript


def test_the_agent_records_employee_number_is_the_work_number(session: Session) -> None:
    agent = create_agent(session, "Chen Jing")
    assert agent_work_number(session, agent.id) is None
    agent.employee_no = "1024"
    session.flush()
    assert agent_work_number(session, agent.id) == "1024"
    assert agent_work_number(session, None) is None


def test_a_chinese_analyzer_checks_the_work_number_and_scores_the_three_musts(tmp_path: Path) -> None:
    analyzer = CallAnalyzer(Settings(data_dir=tmp_path, language="zh", company="星海电信"))
    transcript = make_transcript(
        [
            ("agent", 0.5, 4.0, "您好，星海电信，1024号为您服务。"),
            ("agent", 9.0, 12.0, "请您提供一下手机号码。"),
            ("agent", 20.0, 24.0, "请问还有什么可以帮您？"),
            ("agent", 27.0, 30.0, "感谢您的来电，再见。"),
        ]
    )
    right, score, script = analyzer.analyze_transcript(transcript, agent_number="1024")
    assert script.id == "zh-default" and script.agent_number == "1024"
    assert right.checks["greeting"].state == "pass"
    assert score.scorecard_id == "default-zh" and "three_musts" in score.verdicts()
    wrong, _, _ = analyzer.analyze_transcript(transcript, agent_number="2048")
    assert wrong.checks["greeting"].state == "uncertain"
