"""What the IVR says to a waiting caller, in their language (English fallback)."""

from __future__ import annotations

from routing.announcements import languages, queue_announcement


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
