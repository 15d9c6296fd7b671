"""Held-out set J: a ninth generator of labelled calls, written by the integrator at the start of stop 25,
before any of that stop's verdict changes, to be decoded once with the stop's first-decode code and judged
once, at the end, by the stop's final code (and by its starting code, for the before column).

Why a ninth: I's results were read call by call at the end of stop 24 (its one wrong certain remark), so I is
a tuning set now. J's companies, agent names, greetings, offers of help, thanks, goodbyes, forbidden remarks,
empathy, caller lines and voices are new (espeak-ng variants no other set uses; the neural voice at two paces
no other set uses). Its call shape is B's to I's (`bench.callgen.hold_and_refusal_call`).
tests/bench/test_generators.py checks that no training sentence (qa/data), script phrase or earlier set's
sentence is close to a sentence here. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_j [--n 40] [--seed 1] [--out data/heldout-j]
    callqa eval data/heldout-j
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.06), "en-gb-x-rp+edward2", piper_voice(0.85), "en-us+steph3")
CALLER_VOICES = ("en-us+gustave", "en-gb+sandro", "en-gb-scotland+miguel", "en-us-nyc+Mario")
COMPANIES = (
    "Ashdown Broadband",
    "Pellworth Pharmacy",
    "Norbury Lettings",
    "Thistlewood Insurance",
    "Merrifield Coaches",
)
AGENTS = ("Rosalind", "Tobias", "Imogen", "Fergus", "Harriet", "Lucian")

GREETINGS = {
    "full": (
        "Morning, {company}, this is {agent}, what's gone wrong?",
        "Hello there, you've come through to {company}, my name's {agent}, how are things?",
        "Good evening, {company} customer line, {agent} speaking, what are you ringing about?",
        "Hiya, {agent} from {company} here, what's brought you to us today?",
    ),
    "no_company": (
        "Morning, this is {agent}, what's gone wrong?",
        "Hiya, {agent} here, what's brought you to us today?",
    ),
    "no_self": (
        "Hello there, you've come through to {company}, how are things?",
        "Good evening, {company} customer line, what are you ringing about?",
    ),
    "absent": ("Yep, speak up.", "Right, what now?"),
}
LATE_OPENER = (
    "Apologies, my computer locked up just then.",
    "Hang about, I'm just logging back in.",
)
PROBLEMS = (
    "My internet drops out every evening around seven.",
    "The prescription I collected was missing half the tablets.",
    "The landlord still hasn't returned my deposit after two months.",
    "My claim form was sent back saying a page was blank.",
    "The coach left twenty minutes early and we were stranded.",
)
IDENTIFY = (
    "Whose name is the policy under?",
    "What postcode is the account registered to?",
)
CALLER_DETAILS = (
    "It's P E A R C E.",
    "N W seven, three J Q.",
    "Hold on, my reading glasses are upstairs.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'm going to check with the network team, stay on the line for me.",
    "Give me a minute to pull up the booking history.",
)
BACK = ("Thanks for hanging on, I've found the problem.", "Okay, I'm back with some news.")
REFUSALS = (
    "I can't give a refund on the ticket, but I can move you onto tomorrow's service for free.",
    "The pharmacist has gone for the day, so I'll have her ring you at nine.",
)
CALLER_ACKS = (
    "Well, it'll have to do.",
    "Right, okay then.",
    "Suppose that works.",
)
FORBIDDEN = {
    "blame_customer": (
        "The form bounced because you filled in the wrong section.",
        "It was your job to post the form before the deadline, not ours.",
    ),
    "blame_shifting": (
        "Deposits are handled by another firm, so chase them, not me.",
        "I only answer the phones, the engineers are who you want.",
    ),
    "rude": (
        "Look, I haven't got all day, just give me the number.",
        "Is any of this going in, or am I talking to a wall?",
    ),
}
EMPATHY = (
    "Gosh, I'm sorry you've been left in the lurch like that.",
    "No wonder you're cross, that's not good enough.",
    "Stranded by the roadside, how horrible, I feel for you.",
)
RESOLUTIONS = (
    "I've sent an engineer's slot for Thursday between eight and one.",
    "The rest of your tablets will be ready for collection after two.",
    "I've flagged the deposit as overdue, and you'll get it within five working days.",
)
CALLER_MOOD = {
    "neg": (
        "I'm not holding my breath.",
        "I've lost a full day over this.",
    ),
    "neu": ("Thursday morning, noted.", "Okay, after two it is."),
    "pos": ("Right, that's my evening saved.", "Lovely, you've sorted it."),
}
OFFERS = (
    "Was that everything you rang about, or is there more?",
    "Anything else you'd like to go over before we finish?",
    "Can I lend a hand on anything besides?",
)
CALLER_DONE = {
    "neg": ("No. Just make sure it's done.", "No, I'll stop there."),
    "neu": ("No, I think that's me done.", "Nope, all good."),
    "pos": ("No, you've done me proud there.", "Not a thing, that's grand."),
}
THANKS = (
    "Many thanks, from all of us at {company}.",
    "We appreciate you getting in touch with {company}.",
)
GOODBYES = (
    "Safe travels, goodbye.",
    "Have a restful weekend, bye.",
    "All the very best, bye then.",
)
CALLER_BYE = {
    "neg": ("Yep, cheerio.",),
    "neu": ("Okay, see you.", "Bye now."),
    "pos": ("Smashing, ta-ta!",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "j")


if __name__ == "__main__":
    main()
