"""Held-out set H: a seventh generator of labelled calls, written by the integrator at the start of stop 22,
before any of that stop's verdict changes, to be decoded once with the stop's first-decode code and judged
once, at the end, by the stop's final code (and by its starting code, for the before column).

Why a seventh: G was read call by call at the end of stop 21, so it became a tuning set. H's companies, agent
names, greetings, offers of help, thanks, goodbyes, forbidden remarks, empathy, caller lines and voices are
new (espeak-ng variants no other set uses; the neural voice at two paces no other set uses). Its call shape
is B's to G's (`bench.callgen.hold_and_refusal_call`). tests/bench/test_generators.py checks that no training
sentence (qa/data) or script phrase is close to a sentence here. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_h [--n 40] [--seed 1] [--out data/heldout-h]
    callqa eval data/heldout-h
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(0.95), "en-us+robert", piper_voice(1.13), "en-gb-x-rp+edward")
CALLER_VOICES = ("en-us+Alex", "en-gb-scotland+rob", "en-us-nyc+anika", "en-gb+ed")
COMPANIES = (
    "Larchmont Pharmacy",
    "Bluewater Ferries",
    "Thornbury Council",
    "Ashgrove Fitness",
    "Marlowe Savings",
)
AGENTS = ("Priyanka", "Callum", "Ingrid", "Fergus", "Leonie", "Matteo")

GREETINGS = {
    "full": (
        "Morning, you've come through to {company}, my name's {agent}, how can I be of use?",
        "Hi there, {company} helpline, {agent} on the phones, what's the problem today?",
        "Good evening, {agent} at {company}, talk me through it.",
        "Hiya, it's {agent} from {company}, what can I sort out?",
    ),
    "no_company": (
        "Good evening, it's {agent}, talk me through it.",
        "Hiya, my name's {agent}, what can I sort out?",
    ),
    "no_self": (
        "Morning, you've come through to {company}, how can I be of use?",
        "Hi there, {company} helpline, what's the problem today?",
    ),
    "absent": ("Yep, shoot.", "Mm, what's gone wrong now?"),
}
LATE_OPENER = (
    "Apologies, the line went quiet for a second.",
    "Hang on, my screen has only just loaded.",
)
PROBLEMS = (
    "My prescription wasn't ready when I went to collect it.",
    "The sailing I booked got cancelled and nobody let me know.",
    "There's a charge on my account for a flat I left back in the spring.",
    "You're still taking my gym fees after I cancelled.",
    "My card was frozen while I was on holiday.",
)
IDENTIFY = (
    "What name is the booking under?",
    "Can you read me the reference printed on your letter?",
)
CALLER_DETAILS = (
    "It's under Harrow, H A R R O W.",
    "It says B W nine seven one.",
    "Hold on, I'll dig it out of my emails.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'm going to check with the team that deals with refunds, could you hang on a minute?",
    "Give me a moment to pull the booking up, I'll be right with you.",
)
BACK = ("Cheers for hanging on, the booking's up on my screen now.", "Okay, I'm back with you.")
REFUSALS = (
    "I can't refund the admin charge, but I can waive next month's fee.",
    "There's no crossing left today, the first one tomorrow leaves at seven.",
)
CALLER_ACKS = (
    "Fine, if that's the best there is.",
    "Mm, I see, go on.",
    "That'll have to do, won't it.",
)
FORBIDDEN = {
    "blame_customer": (
        "Well, you didn't read the small print, so that's down to you.",
        "If you'd bothered checking your emails you'd have seen it, that's your own doing.",
    ),
    "blame_shifting": (
        "That's the pharmacy's mess, not ours, you'll have to chase them.",
        "I only answer the phones, take it up with the complaints lot.",
    ),
    "rude": (
        "Look, I haven't got all day for this.",
        "Are you hearing a single word I'm saying?",
    ),
}
EMPATHY = (
    "What a stressful week you've had, I'm sorry it's landed on you.",
    "I can hear how much this has worn you down.",
    "Oh dear, that's the last thing you needed, I'm so sorry.",
)
RESOLUTIONS = (
    "I've moved you onto the seven o'clock crossing at no extra cost.",
    "I've closed the membership and paid back the last two fees.",
    "I've sent the prescription through again, it'll be ready after three.",
)
CALLER_MOOD = {
    "neg": (
        "Honestly, I've had it up to here with you lot.",
        "It's been one headache after another.",
    ),
    "neu": ("Fine, I'll watch my inbox.", "Right, after three then."),
    "pos": ("Phew, I can stop worrying now.", "Oh lovely, that's it sorted."),
}
OFFERS = (
    "Does anything else need sorting while I've got you?",
    "Before you go, is there something more I could do?",
    "Any other questions I can answer for you?",
)
CALLER_DONE = {
    "neg": ("No, just make it happen.", "Nope."),
    "neu": ("No, that was my only query.", "I don't think so, no."),
    "pos": ("No, you've sorted everything.", "Not a thing, you've been great."),
}
THANKS = (
    "Thanks so much for ringing {company}.",
    "We appreciate you calling {company} today.",
)
GOODBYES = (
    "Stay warm out there, bye now.",
    "Hope the week picks up for you, bye-bye.",
    "All sorted then, goodbye.",
)
CALLER_BYE = {
    "neg": ("Yeah. Whatever, bye.",),
    "neu": ("Okay then, ta, bye.", "Right, cheerio."),
    "pos": ("Lovely, thanks ever so much, bye.",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "h")


if __name__ == "__main__":
    main()
