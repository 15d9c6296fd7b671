"""`callqa analyze --transcript`: the same checks and output on a transcript as on audio, by its language."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_callqa

TURNS = [
    {"speaker": "agent", "start": 0.5, "end": 4.0, "text": "您好,星海電信,1024號為您服務"},
    {"speaker": "caller", "start": 4.5, "end": 8.0, "text": "什麼破服務，寬帶又斷了，我要投訴！"},
    {"speaker": "agent", "start": 9.0, "end": 12.0, "text": "非常抱歉給您帶來不便，請您提供一下手機號碼。"},
    {"speaker": "agent", "start": 20.0, "end": 24.0, "text": "請問還有什麼可以幫您？"},
    {"speaker": "agent", "start": 27.0, "end": 30.0, "text": "感謝您的來電,再見"},
]
VTT = "WEBVTT\n\n" + "\n".join(
    f"00:00:{t['start']:06.3f} --> 00:00:{t['end']:06.3f}\n<v {t['speaker']}>{t['text']}\n" for t in TURNS
)


def test_a_chinese_transcript_is_judged_by_the_chinese_script_in_json_and_webvtt(tmp_path: Path) -> None:
    (tmp_path / "call.json").write_text(json.dumps({"language": "zh", "turns": TURNS}), encoding="utf-8")
    (tmp_path / "call.vtt").write_text(VTT, encoding="utf-8")
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path / "data"), "CALLQA_LANGUAGE": "en"}
    done = run_callqa(
        "analyze",
        "--json",
        "--company",
        "星海电信",
        "--agent-number",
        "1024",
        "--transcript",
        str(tmp_path / "call.json"),
        "--transcript",
        str(tmp_path / "bad.json"),
        env=env,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr  # the bad file fails, the good one is still analysed
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    call, bad = rows
    assert "turns" in bad["error"] and bad["file"].endswith("bad.json")
    assert call["script"]["id"] == "zh-default" and call["scorecard"]["id"] == "default-zh"
    assert {n: c["state"] for n, c in call["checks"].items()} == {
        "greeting": "pass",
        "closing": "pass",
        "three_musts": "pass",
    }
    assert call["sentiment"]["caller"]["start"] == "neg" and call["empathy"] is True
    assert call["score"] == 100 and call["engine"] == "reference"

    vtt = run_callqa(
        "analyze",
        "--json",
        "--company",
        "星海电信",
        "--transcript",
        str(tmp_path / "call.vtt"),
        env={**env, "CALLQA_LANGUAGE": "zh"},
        timeout=600,
    )
    assert vtt.returncode == 0, vtt.stderr
    same = json.loads(vtt.stdout)
    assert {n: c["state"] for n, c in same["checks"].items()} == {
        n: c["state"] for n, c in call["checks"].items()
    }


def test_eval_from_transcripts_measures_the_chinese_held_out_calls(tmp_path: Path) -> None:
    from bench.heldout_zh import write_transcripts

    calls = tmp_path / "calls"
    write_transcripts(calls, 30, seed=7)
    env = {**os.environ, "CALLQA_DATA_DIR": str(tmp_path / "data")}
    done = run_callqa("eval", str(calls), "--from-transcripts", "--json", env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["calls"] == 30
    for check in ("greeting", "closing", "three_musts"):
        assert figures["checks"][check]["lean_accuracy"] >= 0.97, (check, figures["misses"][check])
    assert figures["forbidden"]["f1"] >= 0.85 and figures["forbidden"]["certain_precision"] == 1.0
