"""A Chinese call through a real `callqa serve` (tests/api/live_streams.py): espeak-ng's Mandarin voice on
both legs, decoded live by the multilingual whisper and judged by the Chinese script."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from websockets.sync.client import connect

from callqa.services.demo import DEMO_WPM, lay_out
from qa.phrases import load_empathy_phrases, load_forbidden_phrases
from tests.api.live_streams import AssistServer, events, pbx, stream

ZH_TURNS = [
    ("agent", "您好，欢迎致电星海电信。", 0.5),
    ("caller", "我非常生气，你们太过分了！", 0.6),
    ("agent", "这不归我管，你去找别人。", 0.6),  # blame-shifting, one of the three don'ts
    ("agent", "请您稍等，我帮您查一下。", 0.6),
    ("agent", "请问还有什么可以帮您？感谢您的来电，再见。", 1.0),
]
"""Chosen so that what matters is heard: whisper base hears the caller's anger and "你去找别人" from this
voice word for word (and "星海电信" or the closing's thanks not at all)."""


@pytest.mark.slow
def test_a_chinese_call_streamed_live_is_read_and_judged_in_chinese(assist_live: AssistServer) -> None:
    """espeak-ng's Mandarin voice (`cmn-latn-pinyin`; its `cmn` voice reads pinyin as English) on both legs
    through the server with `language=zh`, decoded once per part (no temperature fallback, see
    tests/api/live_streams.py): the angry caller heard and read as negative brings the Chinese script's
    empathy sentence, the agent's "你去找别人" the approved Chinese wording instead, and the call is judged
    by the Chinese script."""
    live, tom, _ = assist_live
    legs, _ = lay_out(ZH_TURNS, "cmn-latn-pinyin", "cmn-latn-pinyin+f3", speed=DEMO_WPM)
    key = "zh-live-1"
    seen: list[dict[str, Any]] = []
    ready = threading.Event()
    query = f"agent_id={tom}&language=zh&company=星海电信"
    base = f"{live.url.replace('http', 'ws')}/api/live/calls/{key}/legs"
    with (
        connect(f"{base}/agent?{query}", additional_headers=pbx(live), open_timeout=300) as agent,
        connect(f"{base}/caller?{query}", additional_headers=pbx(live), open_timeout=300) as caller,
    ):
        watcher = threading.Thread(target=events, args=(live, key, "qa", seen, ready))
        watcher.start()
        assert ready.wait(60)
        sender = threading.Thread(target=stream, args=(caller, legs[1]))
        sender.start()
        stream(agent, legs[0])
        sender.join()
    watcher.join(timeout=600)
    turns = [u["turn"] for u in seen if u["turn"]]
    heard = [t for t in turns if t["speaker"] == "caller"]
    assert heard and "非常生气" in heard[0]["text"].replace(" ", ""), turns
    assert heard[0]["sentiment"] == "neg", heard
    said = {s["kind"]: s for u in seen for s in u["suggestions"]}
    assert said["empathy"]["say"] in load_empathy_phrases(None, "zh").say, said
    assert said["empathy"]["reason"].startswith("the caller sounds negative"), said
    assert said["forbidden"]["element"] == "blame_shifting", said
    assert said["forbidden"]["say"] == load_forbidden_phrases(None, "zh").instead["blame_shifting"], said
    final = seen[-1]["final"]
    assert final is not None and "three_musts" in final, final  # a check of the Chinese script only
    says = [s["say"] for u in seen for s in u["suggestions"]]
    assert all(re.search(r"[\u4e00-\u9fff]", say) for say in says), says
