"""Held-out Chinese calls: the seed script's call center, with wording written for this set alone.

Nothing here was used to write or tune the Chinese script, phrase lists or models (qa/scripts/zh.yaml,
qa/data/*_zh.tsv): its own centres, work numbers (digits, 幺/一 read digit by digit, 十二-style numerals),
greetings, closings over one or two turns, remarks for the three don'ts, empathy, callers' moods, and a
third of the calls written in traditional characters as a recogniser may write them. Labels follow the
dev set's Chinese definitions (shared/dev-set/README.md): greeting (salutation, centre, work number in the
agent's first turn within 20 s), closing (offer of help, thanks, 再见 in the last turns), musts (请 said,
the caller addressed as 您 and never as 你, the last agent turn ends with 再见), forbidden, empathy,
dead_air (a silence ≥ 10 s), caller_sentiment_end.

    python bench/heldout_zh.py --out data/eval/heldout-zh            # transcripts only (reference turns)
    callqa eval data/eval/heldout-zh --from-transcripts
    python bench/heldout_zh.py --audio --n 8 --out data/eval/heldout-zh-audio   # espeak-ng Mandarin
    callqa eval data/eval/heldout-zh-audio

Without --audio the turns are timed at CHAR_S seconds per character; with it they are spoken by
espeak-ng's Mandarin voice (poor, robotic: the recogniser's figures on it are reported, not hidden).
"""

from __future__ import annotations

import random
from pathlib import Path

from bench import callgen, callgen_zh
from bench.callgen import Turn, pause

CHAR_S = 0.22
"""Seconds per character when no audio is rendered (a brisk Mandarin agent: ~270 characters a minute)."""
CENTRES = ["蓝鲸燃气服务中心", "金桥银行客服中心", "云帆物流客服中心", "青松水务热线", "远航航空服务中心"]
NUMBERS = ["2077", "315", "86", "12", "4096", "501"]


def spoken_number(number: str, rng: random.Random) -> str:
    """The work number as an agent may say it: digits, digit by digit (幺 for 1), or as a number."""
    digit = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
    style = rng.choice(["digits", "digit_by_digit", "yao", "numeral"])
    if style == "digit_by_digit":
        return "".join(digit[d] for d in number)
    if style == "yao":
        return "".join("幺" if d == "1" else digit[d] for d in number)
    if style == "numeral" and len(number) == 2:
        tens = "" if number[0] == "1" else digit[number[0]]
        return f"{tens}十{'' if number[1] == '0' else digit[number[1]]}"
    return number


GREETINGS = {
    "full": [
        "您好，{c}，{n}号为您服务。",
        "您好，欢迎致电{c}，{n}号很高兴为您服务。",
        "您好！这里是{c}，{n}号为您服务，请讲。",
        "您好，{c}，工号{n}，请问您要办理什么业务？",
        "下午好，{c}，{n}号为您服务。",
        "晚上好，{c}，{n}号，请讲。",
    ],
    "no_company": ["您好，{n}号为您服务。", "您好，工号{n}，请讲。"],
    "no_self": [
        "您好，{c}，请问有什么需要？",
        "您好，欢迎致电{c}，请讲。",
        "您好，{c}，我是客服小林，请讲。",
    ],
    "absent": ["喂，请讲。", "嗯，请说吧。"],
}
LATE_OPENER = ["请稍等。", "请您稍候。"]
PROBLEMS = [
    "我家的燃气表不走字了。",
    "我的银行卡被冻结了，不知道为什么。",
    "我寄的包裹三天了还没有更新物流信息。",
    "我们小区从早上开始就停水了。",
    "我的航班被取消了，也没人通知我。",
]
AGENT_WORK = [
    "请您说一下您的户号或者登记的手机号码。",
    "请您提供一下证件号码的后六位。",
    "好的，我这边帮您查一下记录，请稍等。",
    "查到了，系统里有一条维修记录，师傅明天会上门。",
    "我已经为您登记了加急处理，两小时内会有同事联系您。",
    "这边看到是系统升级导致的，今晚八点之前会恢复。",
]
CALLER_REPLIES = ["号码是一五九二二八七零零四一。", "好的，你查吧。", "后六位是三八二七一五。"]
PLAIN_YOU = [  # the caller addressed with the plain 你 (breaks the second must)
    "你把户号再报一遍。",
    "你那边现在还能收到短信吗？",
    "你的问题我已经记下了。",
]
FORBIDDEN = {
    "blame_customer": [
        "这都是您当时没有核对信息造成的，您自己得负责。",
        "您要是按时续费，哪会有这种事。",
        "表是您自己动过的吧，不然不会坏。",
    ],
    "blame_shifting": [
        "这种事情不在我们这里处理，您去问物业吧。",
        "这个跟我们没关系，是承运商那边的事，您找他们。",
        "我这边管不了，您换个部门打吧。",
    ],
    "rude": [
        "您说这么多有什么用，讲重点。",
        "这点小事也要打电话，真是的。",
        "我都重复三遍了，您到底听没听？",
    ],
}
EMPATHY = [
    "真是不好意思，让您这么着急。",
    "给您添了这么大的麻烦，实在抱歉。",
    "我完全明白您的心情，换成我也会着急的。",
]
CALLER_MOOD = {
    "pos": ["太好了，真是谢谢您。", "这样处理我很满意，辛苦了。"],
    "neu": ["好的，我知道了。", "行，那我等通知。"],
    "neg": ["这种处理我很不满意，我还是要投诉。", "说了半天还是没解决，太气人了。"],
}
OFFERS = [
    "请问还有什么可以帮您？",
    "请问您还有其他需要帮助的吗？",
    "您这边还有没有别的要办理的？",
    "还有其他我能帮上忙的地方吗？",
]
CALLER_DONE = ["没有了。", "暂时没有了，谢谢。"]
CALLER_DONE_IN_MOOD = {  # a reply to the offer that still says how the caller feels
    "pos": ["没有了，这次真是多谢您了。"],
    "neu": [],
    "neg": ["没有了，反正我还是不满意。"],
}
NO_THANKS_BYE = ["好的，再见。", "嗯，多谢您配合，再见。"]
THANKS = ["感谢您的来电，再见！", "谢谢您的来电，祝您生活愉快，再见。", "感谢您对{c}的支持，再见。"]


def build_call(rng: random.Random) -> tuple[list[Turn], dict[str, object]]:
    """A call's turns (speaker, text, pause before it in s) and its labels (dev-set format, language zh)."""
    centre, number = rng.choice(CENTRES), rng.choice(NUMBERS)
    fill = {"c": centre, "n": spoken_number(number, rng)}
    kind = rng.choices(["full", "no_company", "no_self", "absent", "late"], [5, 1, 1, 1, 1])[0]
    closing = rng.choices(["full", "no_thanks", "no_offer", "absent"], [5, 1, 1, 1])[0]
    plain_you = rng.random() < 0.2
    forbidden = [c for c in FORBIDDEN if rng.random() < 0.2]
    empathy = rng.random() < 0.4
    mood = rng.choice(list(CALLER_MOOD))
    dead_air = kind == "late" or rng.random() < 0.25

    turns = callgen.opening_turns(rng, kind, GREETINGS, LATE_OPENER, fill)
    turns.append(("caller", rng.choice(PROBLEMS), pause(rng)))
    middle: list[Turn] = [
        ("agent", rng.choice(AGENT_WORK[:2]), pause(rng)),
        ("caller", rng.choice(CALLER_REPLIES), pause(rng)),
    ]
    if empathy:
        middle.insert(0, ("agent", rng.choice(EMPATHY), pause(rng)))
    if plain_you:
        middle.append(("agent", rng.choice(PLAIN_YOU), pause(rng)))
    for category in forbidden:
        middle.append(("agent", rng.choice(FORBIDDEN[category]), pause(rng)))
    gap = round(rng.uniform(11.0, 14.0), 2) if dead_air and kind != "late" else pause(rng)
    middle.append(("agent", rng.choice(AGENT_WORK[2:]), gap))
    middle.append(("caller", rng.choice(CALLER_MOOD[mood]), pause(rng)))
    turns.extend(middle)
    if closing in ("full", "no_thanks"):
        turns.append(("agent", rng.choice(OFFERS), pause(rng)))
        turns.append(("caller", rng.choice(CALLER_DONE + CALLER_DONE_IN_MOOD[mood]), pause(rng)))
    if closing in ("full", "no_offer"):
        turns.append(("agent", rng.choice(THANKS).format(**fill), pause(rng)))
    elif closing == "no_thanks":
        turns.append(("agent", rng.choice(NO_THANKS_BYE), pause(rng)))
    agent_text = "".join(text for speaker, text, _ in turns if speaker == "agent")
    last_agent = next(text for speaker, text, _ in reversed(turns) if speaker == "agent")
    musts = "请" in agent_text and not plain_you and last_agent.rstrip("。！!.").endswith("再见")
    labels = {
        "company": centre,
        "agent_number": number,
        "greeting": kind == "full",
        "greeting_kind": kind,
        "closing": closing == "full",
        "closing_kind": closing,
        "musts": musts,
        "empathy": empathy,
        "forbidden": forbidden,
        "dead_air": dead_air,
        "caller_sentiment_end": mood,
    }
    return turns, labels


def write_transcripts(out: Path, n: int, seed: int, prefix: str = "zh") -> list[Path]:
    """`n` calls as `<prefix>-<seed>-<i>.json` (reference turns timed at CHAR_S per character, no audio);
    every third call (i % 3 == 2) written in traditional characters (labels unchanged)."""
    return callgen_zh.write_text_calls(
        out, n, seed, prefix=prefix, build_call=build_call, char_s=CHAR_S, traditional=lambda i: i % 3 == 2
    )


def main(argv: list[str] | None = None) -> None:
    callgen_zh.run_zh_generator(
        __doc__,
        argv,
        prefix="zh",
        default_out=Path("data/eval/heldout-zh"),
        default_audio_out=Path("data/eval/heldout-zh-audio"),
        write_transcripts=write_transcripts,
        build_call=build_call,
    )


if __name__ == "__main__":
    main()
