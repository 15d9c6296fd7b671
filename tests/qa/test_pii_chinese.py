"""Personal data said in Chinese: numerals read digit by digit (幺 = 1, 两 = 2), numbers in words with
other characters, Chinese cue phrases however the recogniser splits them, and the 18-character resident
identity number (身份证, GB 11643 checksum)."""

from __future__ import annotations

from qa.pii.config import load_pii_config
from qa.pii.detect import find_pii
from qa.pii.numbers import is_cn_id
from qa.pii.redact import redact_transcript
from qa.pii.spoken import atoms, compose
from tests.qa.pii_helpers import texts, transcript

CONFIG = load_pii_config()
ID = "320102198511203416"  # valid: check digit 6 from the 17 before it


def _redacted(*turns: tuple[str, str]) -> list[str]:
    tr = transcript(*turns)  # type: ignore[arg-type]
    return texts(redact_transcript(tr, find_pii(tr, CONFIG)))


def test_the_resident_id_checksum_and_birth_date() -> None:
    assert is_cn_id(ID) and is_cn_id("11010519491231002X") and is_cn_id("11010519491231002x")
    assert not is_cn_id("320102198511203417")  # wrong check digit
    assert not is_cn_id("320102198513203419")  # no 13th month (check digit right for these digits)
    assert not is_cn_id("32010219851120341")


def test_chinese_numerals_read_out_are_digits() -> None:
    assert compose([a for w in ("幺三八", "两零", "零幺") for a in atoms(w)]) == "1382001"
    assert compose(atoms("是六二二二")) == "6222" and compose(atoms("我的")) == ""
    assert compose(atoms("五十元")) == ""  # an amount in words is no digit string
    assert [a.kind.value for a in atoms("一")] == ["weak_unit"]  # 一 alone is mostly a word (一下)


def test_an_id_read_in_numerals_over_several_words_is_redacted_with_or_without_a_cue() -> None:
    spoken = "".join("零幺二三四五六七八九"[int(d)] for d in ID)
    out = _redacted(
        ("agent", "请问您的身份证号码是多少？"),
        ("caller", f"是 {spoken[:6]} {spoken[6:14]} {spoken[14:]}"),
        ("caller", f"我再说一遍 {ID}"),
    )
    assert out[1] == "是 [ID]" and out[2] == "我再说一遍 [ID]"


def test_card_code_and_phone_after_chinese_questions_split_anywhere() -> None:
    out = _redacted(
        ("agent", "请提供 您的 银行 卡号"),  # 银行卡号 split over words
        ("caller", "卡号是六二二二 零二零二 幺二三四 五六七八"),
        ("agent", "好的，背面 后三位 是多少？"),
        ("caller", "七三七"),
        ("agent", "您的手机号是多少？"),
        ("caller", "幺三八 零零幺三 八零零零"),
    )
    assert out[1] == "[CARD]" and out[3] == "[CVV]" and out[5] == "[PHONE]"


def test_the_agents_work_number_amounts_and_order_numbers_stay() -> None:
    turns = [
        ("agent", "您好，星海电信，一零二四号为您服务。"),
        ("caller", "我的宽带断了，上个月交了一百二十元。"),
        ("agent", "您的订单号是 八八六七 二三四五，三天内 处理。"),
        ("agent", "感谢您的来电，再见。"),
    ]
    assert _redacted(*turns) == [t for _, t in turns]


def test_two_answers_run_together_are_split_where_the_agent_asked() -> None:
    # the caller's ID and card digits, 3 s apart, would make one 34-digit number, longer than any asked for
    spoken_id = " ".join("零幺二三四五六七八九"[int(d)] for d in ID)
    tr = transcript(
        ("agent", "麻烦 报 一下 您的 证件号码"),
        ("caller", spoken_id),
        ("agent", "您的 卡号 是？"),
        ("caller", "六二二九 零一九一 零三九一 七八七零"),
        pause_s=0.5,
    )
    assert texts(redact_transcript(tr, find_pii(tr, CONFIG)))[1::2] == ["[ID]", "[CARD]"]


def test_counts_and_times_the_agent_says_after_a_card_cue_stay() -> None:
    # the caller's "银行卡" cues a card for the agent's numbers after it (of any length): a count or a time
    # the agent says is none
    turns = [
        ("caller", "我的 银行卡 被 冻结 了"),
        ("agent", "请 您 提供 一下 证件号码 的 后 六 位"),
        ("agent", "我 都 重复 三 遍 了， 今晚 八 点 之前 会 恢复。"),
    ]
    assert _redacted(*turns) == [t for _, t in turns]
