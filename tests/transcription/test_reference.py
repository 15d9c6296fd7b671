"""Transcripts given instead of audio: dev-set turns JSON and WebVTT with voices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcription.exceptions import TranscriptFormatError
from transcription.reference import read_transcript

VTT = """WEBVTT

00:00:00.500 --> 00:00:04.000
<v agent>您好，星海电信，1024号为您服务。</v>

00:00:04.500 --> 00:00:08.250
<v Caller>我的宽带断了。
"""


def test_turns_json_becomes_a_transcript_with_words_per_character_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    turns = [
        {"speaker": "caller", "start": 4.5, "end": 8.0, "text": "我的宽带断了。"},
        {"speaker": "agent", "start": 0.5, "end": 4.0, "text": "您好，星海电信，1024号为您服务。"},
        {"speaker": "agent", "start": 9.0, "end": 9.5, "text": "  "},
    ]
    path.write_text(json.dumps({"language": "zh", "duration_s": 12.0, "turns": turns}), encoding="utf-8")
    transcript = read_transcript(path)
    assert transcript.language == "zh" and transcript.duration_s == 12.0 and transcript.engine == "reference"
    assert [s.speaker for s in transcript.segments] == ["agent", "caller"]
    agent = transcript.segments[0]
    assert [w.text for w in agent.words][:3] == ["您", "好，", "星"] and "1024" in [
        w.text for w in agent.words
    ]
    assert agent.words[0].start == 0.5 and agent.words[-1].end == pytest.approx(4.0)


def test_english_turns_keep_their_words_and_the_language_given(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    turn = {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Good morning, Acme."}
    path.write_text(json.dumps({"turns": [turn]}), encoding="utf-8")
    transcript = read_transcript(path, language="en")
    assert [w.text for w in transcript.segments[0].words] == ["Good", "morning,", "Acme."]
    assert transcript.language == "en" and transcript.duration_s == 2.0


def test_webvtt_voices_are_the_speakers(tmp_path: Path) -> None:
    path = tmp_path / "call.vtt"
    path.write_text(VTT, encoding="utf-8")
    transcript = read_transcript(path, language="zh")
    assert [(s.speaker, s.start, s.end) for s in transcript.segments] == [
        ("agent", 0.5, 4.0),
        ("caller", 4.5, 8.25),
    ]
    assert transcript.segments[0].text == "您好，星海电信，1024号为您服务。"


@pytest.mark.parametrize(
    ("name", "content", "fault"),
    [
        ("a.json", "{not json", "not JSON"),
        ("b.json", json.dumps({"calls": []}), "turns"),
        ("c.json", json.dumps({"turns": [{"speaker": "boss", "start": 0, "end": 1, "text": "x"}]}), "turn 1"),
        ("d.json", json.dumps({"turns": [{"speaker": "agent", "start": 3, "end": 1, "text": "x"}]}), "end 1"),
        ("e.vtt", "not a vtt file", "WebVTT"),
        ("f.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nno voice\n", "voice"),
    ],
)
def test_bad_transcripts_are_refused_with_the_file_and_the_fault(
    tmp_path: Path, name: str, content: str, fault: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptFormatError, match=fault) as raised:
        read_transcript(path)
    assert name in str(raised.value)
