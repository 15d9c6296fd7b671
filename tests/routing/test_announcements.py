"""What the IVR says to a waiting caller, in their language (English fallback)."""

from __future__ import annotations

from routing.announcements import Refusal, languages, queue_announcement


def test_english_wording() -> None:
    assert queue_announcement(1, 30, "en") == (
        "You are number 1 in the queue. Your estimated wait is about 1 minute."
    )
    assert "about 4 minutes" in queue_announcement(3, 240, "en")
    assert "callback" in queue_announcement(2, float("inf"), "en")


def test_chinese_callers_hear_chinese() -> None:
    assert {"en", "zh"} <= languages()
    assert queue_announcement(3, 240, "zh") == "您目前排在第3位，预计等待约4分钟。"
    assert "回电" in queue_announcement(2, float("inf"), "zh")


def test_a_language_without_texts_falls_back_to_english() -> None:
    assert queue_announcement(2, 600, "fr") == queue_announcement(2, 600, "en")


def test_a_refusal_is_said_in_the_callers_language() -> None:
    short = Refusal("skill_level", levels=(("billing", 3), ("sales", 2)))
    assert short.text("en") == (
        "no agent could ever take this call: no agent has billing at level 3 or above, "
        "sales at level 2 or above"
    )
    assert (
        short.text("zh") == "抱歉，没有坐席能够接听这通电话：没有坐席具备billing 3级或以上、sales 2级或以上"
    )
    assert Refusal("language", languages=("fr",)).text("zh").endswith("没有坐席会说 fr")
    assert Refusal("unknown_skill", skills=("klingon",)).text("zh") == "未知的服务技能 'klingon'"
    assert (
        str(Refusal("language", languages=("fr", "de")))
        == "no agent could ever take this call: no agent speaks fr or de"
    )
    assert Refusal("no_skill", skills=("x",)).text("fr") == Refusal("no_skill", skills=("x",)).text("en")
