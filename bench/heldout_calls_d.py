"""Held-out set D: a third generator of labelled calls, written by the integrator for a final check that
no one tuning the verdicts has read.

Why a third: the wording of set B (bench/heldout_calls_b.py) reached the script's training sentences over
time (its goodbyes "bye for now", "all the best", "cheerio" and a rude remark are in qa/data), so B and the
sets drawn from it (B2, B3, B4) are no longer fully untuned. Everything here is new: companies, agent
names, greetings, offers of help, thanks, goodbyes, forbidden remarks, empathy, the caller's lines and the
voices (espeak-ng variants no other set uses, the piper voice at two paces of its own).
tests/bench/test_generators.py checks that no training sentence (qa/data) or script phrase is close to a
sentence here. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_d [--n 40] [--seed 1] [--out data/heldout-d]
    callqa eval data/heldout-d
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.05), "en-us+adam", piper_voice(0.9), "en-gb-x-rp+Alicia")
CALLER_VOICES = ("en-us+travis", "en-gb+shelby", "en-gb-scotland+victor", "en-us-nyc+norbert")
COMPANIES = ("Marlowe Water", "Fenwick Mobile", "Larkspur Insurance", "Tamsin Broadband", "Corrib Parcels")
AGENTS = ("Declan", "Priya", "Matthias", "Yolanda", "Rhodri", "Keiko")

GREETINGS = {
    "full": (
        "Good evening, {company} customer care, my name's {agent}, how may I direct your call?",
        "Hello, you've reached {company}, {agent} speaking, what's brought you to us this evening?",
        "Welcome to {company}, this is {agent}, who do I have the pleasure of speaking with?",
        "Hi there, {company} help line, {agent} at the other end, tell me what's going on.",
    ),
    "no_company": (
        "Good evening, my name's {agent}, how may I direct your call?",
        "Hi there, {agent} speaking, tell me what's going on.",
    ),
    "no_self": (
        "Hello, you've reached {company} customer care, what's brought you to us this evening?",
        "Welcome to the {company} help line, who do I have the pleasure of speaking with?",
    ),
    "absent": ("Yes, who's this?", "Mm-hm, what is it?"),
}
LATE_OPENER = ("One moment, my screen is still loading.", "Just a tick, the system is slow tonight.")
PROBLEMS = (
    "My parcel says delivered but there's nothing on my doorstep.",
    "I've been charged twice for the same month.",
    "There's brown water coming out of my kitchen tap.",
    "My phone has had no signal since the weekend.",
    "I want to change the name on my policy after getting married.",
)
IDENTIFY = ("Could you give me the postcode on the account?", "Can I take your customer number first?")
CALLER_DETAILS = (
    "Sure, it's B S six, four A J.",
    "It's seven seven one, three oh two.",
    "One second, finding it.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'll just place you on hold for a minute while I look into the history, I won't be long.",
    "I'm checking this with our network engineers now and I'll stay with you until it's sorted.",
)
BACK = ("Sorry for the wait, I have the details now.", "I'm back with you, and I've found the cause.")
REFUSALS = (
    "That isn't something I'm able to cancel today, but here's what I can offer instead.",
    "The policy doesn't cover that, so let me explain what it does cover.",
)
CALLER_ACKS = ("Okay, fair enough.", "Alright, carry on.", "Hm, go ahead.")
FORBIDDEN = {
    "blame_customer": (
        "Honestly, the small print was there for you to check before signing up.",
        "If you'd entered the right address this wouldn't have happened.",
    ),
    "blame_shifting": (
        "That's the courier's mess, I only handle bills, you'll need to phone them.",
        "Billing messed that up, take it up with them, not me.",
    ),
    "rude": (
        "Look, I haven't got all day, yes or no?",
        "Lower your voice, I'm not listening to this tone.",
    ),
}
EMPATHY = (
    "Ugh, that sounds maddening, no wonder you're fed up.",
    "I'm so sorry you've had to deal with this, let's get it put right.",
    "That must have given you quite a fright, I'm sorry.",
)
RESOLUTIONS = (
    "I've arranged a redelivery for tomorrow before noon.",
    "I've reversed the duplicate payment, it'll show within five working days.",
    "A technician will visit on Monday between eight and twelve.",
)
CALLER_MOOD = {
    "neg": ("This is still a shambles if you ask me.", "I'm not happy, I'll be taking this further."),
    "neu": ("Right, I'll wait and see then.", "Okay, understood."),
    "pos": ("Oh brilliant, I can relax now.", "Great, I really appreciate that."),
}
OFFERS = (
    "Is there one more thing I could sort while we're talking?",
    "Can I assist you with something else while you're on the line?",
    "Do you need us for anything further at all?",
)
CALLER_DONE = {
    "neg": ("No, just fix it.", "No, that's all, unfortunately."),
    "neu": ("No, I'm done.", "Nothing more, ta."),
    "pos": ("No, you've been great.", "That's everything, thank you so much."),
}
THANKS = (
    "It was good of you to ring {company} this evening, thank you.",
    "Many thanks for your call to {company}.",
)
GOODBYES = ("Goodbye now.", "Have a good night, goodbye.", "Bye-bye.")
CALLER_BYE = {"neg": ("Yeah, bye.",), "neu": ("Ta-ra.", "Bye then."), "pos": ("Thank you, goodbye.",)}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "d")


if __name__ == "__main__":
    main()
