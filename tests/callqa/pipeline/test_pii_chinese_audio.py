"""Personal data in a Chinese call on real audio: espeak-ng Mandarin (the cmn-latn-pinyin voice, as
tests/callqa/pipeline/test_chinese_audio.py makes it) reads a phone number and a 身份证 number digit by
digit, written as the caller says them (一三八，零零一三 …), the multilingual whisper base decodes them one
way (fallback off), and neither the stored transcript nor the redacted recording, decoded again, keeps a
digit of them on the caller's leg.

The voice reads numerals and Arabic digits alike. At 130 words a minute whisper base wrote the 身份证
answer as "- 4 / 靈 異 / 2 -", two digits; at 110 it writes it as numerals (二 零 一 零 二 一 九 八 五 …) and
the phone answer mostly as sound-alikes (憾 吧 靈 靈 遺 憾 吧 六 起 舞 for 一三八零零一三八六七五), so
the test holds redaction to what the recogniser heard: every digit it wrote in the caller's answers is
gone from the text and the audio.
幺 (1 read out) is covered by the transcript tests (tests/qa/test_pii_chinese.py)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from callqa.pipeline.analyzer import CallAnalyzer, CallResult
from callqa.services.demo import render_call
from callqa.settings import Settings
from qa.pii.redact import silence_spans
from qa.pii.spoken import atoms, compose
from transcription.audio import load_call_audio
from transcription.recognizer import Transcript

PHONE = "13800138675"
ID = "320102198511203416"  # GB 11643 check digit 6
NUMERALS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def _said(digits: str, *groups: int) -> str:
    """`digits` as the caller reads them: numerals, grouped as people group a number (3-4-4 …)."""
    parts, at = [], 0
    for size in groups:
        parts.append("".join(NUMERALS[d] for d in digits[at : at + size]))
        at += size
    return "，".join(parts) + "。"


TURNS = [
    ["agent", "您好，星海电信，一零二四号为您服务。", 0.5],
    ["caller", "我想改一下手机号。", 0.6],
    ["agent", "好的，请问您的手机号码是多少？", 0.6],
    ["caller", _said(PHONE, 3, 4, 4), 0.8],
    ["agent", "好的。请问您的身份证号码是多少？", 0.6],
    ["caller", _said(ID, 6, 8, 4), 0.8],
    ["agent", "好的，已经为您修改了。请问还有什么可以帮您？", 1.0],
    ["caller", "没有了，谢谢。", 0.6],
    ["agent", "感谢您的来电，再见。", 0.6],
]
ANSWERS = (3, 5)
"""The turns that say the phone and the 身份证 number."""
TOLERANCE_S = 1.0
"""Around an answer's turn (s): the recogniser's word times drift."""


@pytest.fixture(scope="module")
def personal_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    path = tmp_path_factory.mktemp("zh-pii") / "call.wav"
    # slower than the demo's voice: at 165 words a minute whisper base writes almost no digit of it
    reference = render_call(TURNS, "cmn-latn-pinyin", "cmn-latn-pinyin+f3", path, speed=110)
    return path, reference


def _digits_in_answers(transcript: Transcript, reference: list[dict[str, Any]]) -> str:
    """The digits the caller's words say within the answers' times (± TOLERANCE_S)."""
    windows = [(reference[i]["start"] - TOLERANCE_S, reference[i]["end"] + TOLERANCE_S) for i in ANSWERS]

    def said(words: Iterable[str]) -> str:
        return compose([a for w in words for a in atoms(w)])

    return "".join(
        said(w.text for w in seg.words if any(a <= w.start <= b for a, b in windows))
        for seg in transcript.by_speaker("caller")
    )


@pytest.fixture(scope="module")
def analysed(
    personal_call: tuple[Path, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[CallAnalyzer, Settings, CallResult]:
    """The call through the pipeline once, decoded one way per run (whisper's temperature fallback samples:
    with it one run kept a digit and the next did not)."""
    wav, _ = personal_call
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("zh-pii-data"),
        language="zh",
        company="星海电信",
        second_opinion=False,
        pii_policy="redacted_and_original",
        whisper_temperature_fallback=False,
    )
    analyzer = CallAnalyzer(settings)
    return analyzer, settings, analyzer.analyze_file(wav, agent_number="1024")


@pytest.mark.slow
def test_a_phone_and_id_number_read_in_chinese_are_silenced_in_the_stored_recording(
    personal_call: tuple[Path, list[dict[str, Any]]],
    analysed: tuple[CallAnalyzer, Settings, CallResult],
    tmp_path: Path,
) -> None:
    wav, reference = personal_call
    analyzer, settings, result = analysed
    assert result.original is not None and result.transcript.language == "zh"
    heard = _digits_in_answers(result.original, reference)
    assert len(heard) >= 6, heard  # whisper base wrote digits of the numbers (else there is nothing to test)
    caller = [s for s in result.pii if s.speaker == "caller"]
    assert caller, [s.to_dict() for s in result.pii]
    redacted = silence_spans(
        load_call_audio(wav), result.pii, agent_channel=settings.agent_channel, pad_s=settings.pii_audio_pad_s
    )
    stored = tmp_path / "redacted.wav"
    sf.write(stored, redacted.channels.T, redacted.sample_rate, subtype="PCM_16")
    again = analyzer.transcribe(stored, hints=["星海电信"])
    assert _digits_in_answers(again, reference) == "", [s.text for s in again.by_speaker("caller")]


@pytest.mark.slow
def test_a_phone_and_id_number_read_in_chinese_are_gone_from_the_stored_transcript(
    personal_call: tuple[Path, list[dict[str, Any]]], analysed: tuple[CallAnalyzer, Settings, CallResult]
) -> None:
    # decoded one way, whisper base writes the phone answer as "憾 吧 靈 靈 遺 憾 吧 六 起 舞" and the 身份证
    # answer as seventeen numerals; both are taken whole ([PHONE], [NUMBER])
    _, reference = personal_call
    _, _, result = analysed
    assert _digits_in_answers(result.transcript, reference) == "", [
        s.text for s in result.transcript.segments
    ]
