"""Held-out Chinese calls, set B: a second, independent Chinese set, its wording in bench/zh_b_wording.py.

Set A (bench/heldout_zh.py) and the Chinese script were written by others; this set's centres, work numbers,
greetings, closings, remarks for the three don'ts (including polite-sounding ones with 您: conditional blame,
rhetorical questions, sarcasm, sending the caller elsewhere), near misses, apologies and callers were written
without reading them, so its figures say how the Chinese checks fare on calls nobody tuned on. Six lines of
business set A does not use; every third call in traditional characters (OpenCC s2t); about a quarter with
a silence of ≥ 10 s. Labels follow shared/dev-set/README.md's Chinese definitions and are set by
construction: each pool says what its sentences carry, the three musts are read off the agent's words.

    python -m bench.heldout_zh_b --out data/heldout-zh-b            # transcripts only (reference turns)
    callqa eval data/heldout-zh-b --from-transcripts
    python -m bench.heldout_zh_b --audio --n 8 --out data/heldout-zh-b-audio   # espeak-ng Mandarin

Without --audio the turns are timed at set A's CHAR_S seconds per character.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench import callgen_zh
from bench.callgen import Turn
from bench.heldout_zh import CHAR_S, spoken_number
from bench.zh_b_wording import (
    ASK,
    CALLER_END,
    CALLER_MIDDLE,
    CALLER_WAITS,
    CENTRES,
    CHECKS,
    CLOSINGS,
    EMPATHY,
    FORBIDDEN,
    GREETINGS,
    HOLD,
    INDUSTRY,
    OFFERS,
    PLAIN_YOU,
    THANKS,
    WISHES,
    WORK_NUMBERS,
)

GREETING_KINDS = {"full": 5, "no_company": 2, "no_self": 2, "no_salutation": 2, "absent": 1}
CLOSING_KINDS = {"full": 4, "full_one_turn": 2, "no_offer": 1, "no_thanks": 1, "no_bye": 1, "absent": 1}
COMPLIANT_CLOSINGS = ("full", "full_one_turn")
DEAD_AIR_S = (10.5, 15.0)
"""A dead-air gap; ordinary pauses stay below 8.5 s so that no call sits near the 10 s line."""


def musts(agent: list[str]) -> bool:
    """The three musts read off the agent's (simplified) words: 请 said, 您 used and the plain 你 never
    (你们 is fine), the last agent turn ends with 再见."""
    said = "".join(agent)
    last = re.sub(r"[\W_]+$", "", agent[-1])
    return "请" in said and "您" in said and not re.search("你(?!们)", said) and last.endswith("再见")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _short(rng: random.Random) -> float:
    return round(rng.uniform(0.3, 1.4), 2)


def build_call(rng: random.Random) -> tuple[list[Turn], dict[str, object]]:
    industry = rng.choice(sorted(CENTRES))
    centre, biz, number = CENTRES[industry], INDUSTRY[industry], rng.choice(WORK_NUMBERS)
    spoken = spoken_number(number, rng)

    def fill(text: str) -> str:
        return text.format(c=centre, n=spoken, x=biz["thing"])

    greeting = _pick(rng, GREETING_KINDS)
    angry = rng.random() < 0.4
    empathy = rng.random() < (0.6 if angry else 0.25)
    plain_you = rng.random() < 0.15
    polite = rng.random() < 0.75
    n_remarks = rng.choices([0, 1, 2], weights=[50, 38, 12])[0]
    remarks = [(c, rng.choice(FORBIDDEN[c])) for c in rng.sample(sorted(FORBIDDEN), n_remarks)]
    dead_air = rng.choice(["", "", "", "hold", "reply"])

    turns: list[Turn] = [("agent", fill(rng.choice(GREETINGS[greeting])), 0.4)]
    turns.append(("caller", rng.choice(biz["problem"]["neg" if angry else "neu"]), _short(rng)))
    ask = fill(rng.choice(PLAIN_YOU[:2] if plain_you else ASK["polite" if polite else "plain"]))
    turns.append(("agent", (rng.choice(EMPATHY) if empathy else "") + ask, _short(rng)))
    reply_pause = rng.uniform(*DEAD_AIR_S) if dead_air == "reply" else rng.uniform(0.5, 3.0)
    turns.append(("caller", rng.choice(biz["reply"]), round(reply_pause, 2)))
    hold = (
        PLAIN_YOU[2]
        if plain_you and rng.random() < 0.5
        else rng.choice(HOLD["polite" if polite else "plain"])
    )
    turns.append(("agent", hold, _short(rng)))
    if rng.random() < 0.5:
        turns.append(("caller", rng.choice(CALLER_WAITS), _short(rng)))
    hold_pause = rng.uniform(*DEAD_AIR_S) if dead_air == "hold" else rng.uniform(2.0, 7.5)

    middle = rng.sample(biz["work"], 2) + ([rng.choice(CHECKS)] if rng.random() < 0.4 else [])
    for _, text in remarks:  # each remark after one of the agent's answers, or as a turn of its own
        at = rng.randrange(len(middle))
        if rng.random() < 0.5:
            middle[at] += text
        else:
            middle.insert(at + 1, text)
    said_between = rng.sample(CALLER_MIDDLE["neg" if angry else "neu"], 3)
    for i, text in enumerate(middle):
        turns.append(("agent", text, round(hold_pause, 2) if i == 0 else _short(rng)))
        if i < len(middle) - 1:
            turns.append(("caller", said_between[i % 3], _short(rng)))

    closing = _pick(rng, CLOSING_KINDS)
    mood = rng.choice(["neu", "pos", "neg"] if not angry else ["neu", "neg", "neg", "pos"])
    wish, thanks = rng.choice(WISHES), rng.choice(THANKS).format(c=centre)
    last = rng.choice(CLOSINGS[closing]).format(t=thanks, w=wish, o=rng.choice(OFFERS))
    end = rng.choice(CALLER_END[mood])
    if closing in ("full", "no_thanks", "no_bye"):  # offer, the caller answers, the agent's last turn
        turns += [("agent", rng.choice(OFFERS), _short(rng)), ("caller", end, _short(rng))]
        turns.append(("agent", last, _short(rng)))
    elif closing == "full_one_turn":  # everything in one turn; the caller answers it
        turns += [("agent", last, _short(rng)), ("caller", end, _short(rng))]
    else:  # no offer: the caller winds up, the agent's last turn
        turns += [("caller", end, _short(rng)), ("agent", last, _short(rng))]

    agent = [text for who, text, _ in turns if who == "agent"]
    labels: dict[str, object] = {
        "company": centre,
        "agent_number": number,
        "industry": industry,
        "greeting": greeting == "full",
        "greeting_kind": greeting,
        "closing": closing in COMPLIANT_CLOSINGS,
        "closing_kind": "full" if closing in COMPLIANT_CLOSINGS else closing,
        "musts": musts(agent),
        "empathy": empathy,
        "forbidden": sorted({c for c, _ in remarks}),
        "dead_air": bool(dead_air),
        "caller_sentiment_end": mood,
    }
    return turns, labels


def write_transcripts(out: Path, n: int, seed: int, prefix: str = "zhb") -> list[Path]:
    """`n` calls as `<prefix>-<seed>-<i>.json` (reference turns timed at CHAR_S per character, no audio);
    every third call (i % 3 == 1) written in traditional characters, labels unchanged."""
    return callgen_zh.write_text_calls(
        out, n, seed, prefix=prefix, build_call=build_call, char_s=CHAR_S, traditional=lambda i: i % 3 == 1
    )


def main(argv: list[str] | None = None) -> None:
    callgen_zh.run_zh_generator(
        __doc__,
        argv,
        prefix="zhb",
        default_out=Path("data/heldout-zh-b"),
        default_audio_out=Path("data/heldout-zh-b-audio"),
        write_transcripts=write_transcripts,
        build_call=build_call,
    )


if __name__ == "__main__":
    main()
