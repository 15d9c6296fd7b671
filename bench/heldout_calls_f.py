"""Held-out set F: a fifth generator of labelled calls, written by the integrator in stop 20 before any of
that stop's verdict changes were measured, to be decoded and judged once, by the stop's final code.

Why a fifth: E was read once (its aggregates, at the end of stop 19); a second never-read set of 40 calls
doubles the calls behind the figure of the final code and halves what one decision can have leaked into
it. F's companies, agent names, greetings, offers of help, thanks, goodbyes, forbidden remarks, empathy,
caller lines and voices are new (espeak-ng variants no other set uses; the neural voice at two paces no
other set uses). Its call shape is B's, D's and E's (`bench.callgen.hold_and_refusal_call`): holds that
keep ownership, polite refusals, closings spread over two turns. tests/bench/test_generators.py checks
that no training sentence (qa/data) or script phrase is close to a sentence here. Labels follow the
dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_f [--n 40] [--seed 1] [--out data/heldout-f]
    callqa eval data/heldout-f
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(0.93), "en-us+Michael", piper_voice(1.2), "en-gb-x-rp+Lee")
CALLER_VOICES = ("en-us+Gene", "en-gb+aunty", "en-gb-x-gbcwmd+max", "en-us-nyc+Jacky")
COMPANIES = (
    "Pennant Pet Cover",
    "Ashby Council Tax",
    "Kestrel Car Hire",
    "Larchfield Pharmacy",
    "Dunmore Lettings",
)
AGENTS = ("Siobhan", "Radek", "Aoife", "Emeka", "Leopold", "Ines")

GREETINGS = {
    "full": (
        "Good evening, {company}, my name's {agent}, how can I make your day easier?",
        "Hey, {company} helpline, {agent} on the line, what's the bother?",
        "Morning to you, {agent} speaking for {company}, what are we looking at today?",
        "Afternoon, this is {company} customer care, {agent} here to help, go ahead.",
    ),
    "no_company": (
        "Good evening, my name's {agent}, how can I make your day easier?",
        "Morning to you, {agent} speaking, what are we looking at today?",
    ),
    "no_self": (
        "Hey, {company} helpline, what's the bother?",
        "Afternoon, this is {company} customer care, go ahead.",
    ),
    "absent": ("Yep, go on then.", "Okay, what is it?"),
}
LATE_OPENER = (
    "Two ticks, I'm closing the last customer's file.",
    "Apologies, the call came through muffled.",
)
PROBLEMS = (
    "The vet's claim I sent in June still says pending.",
    "You've billed me for a flat I moved out of in March.",
    "The hire car had a flat tyre and nobody came out.",
    "My prescription delivery has gone to the wrong village.",
    "The landlord still hasn't fixed the damp in the bedroom.",
)
IDENTIFY = (
    "Can you read me the reference at the top of the letter?",
    "What's the date of birth on the policy?",
)
CALLER_DETAILS = (
    "It's P K nine nine three four.",
    "Fourth of August, nineteen eighty-one.",
    "Give me a sec, I'm looking for my glasses.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'll need to check something with the claims desk, could you hold the line for a minute or two?",
    "I'm going to pop the music on for a moment while I pull up the branch records, don't go anywhere.",
)
BACK = ("Right, apologies for the wait, I've found it.", "Okay, I'm back, and I've got an answer for you.")
REFUSALS = (
    "I'm not able to backdate it that far, but I can start it from this month.",
    "Unfortunately we can't send a courier tonight, the earliest is tomorrow at nine.",
)
CALLER_ACKS = (
    "Well, better than nothing.",
    "Okay, if that's the best you can do.",
    "Suppose that'll have to do.",
)
FORBIDDEN = {
    "blame_customer": (
        "If you'd actually filled the form in properly it'd be paid by now.",
        "Honestly, reading the small print before signing was your job.",
    ),
    "blame_shifting": (
        "Claims is a different department, not my patch, phone them.",
        "The branch manages that, not us, so take it up with them.",
    ),
    "rude": (
        "Will you just let me speak for a moment?",
        "Look, I haven't got time for this, are you listening or not?",
    ),
}
EMPATHY = (
    "Gosh, what a worry that must be, I'm so sorry.",
    "I'd be just as cross in your shoes, and I'm sorry it's come to this.",
    "That's rotten luck, I really do apologise.",
)
RESOLUTIONS = (
    "I've pushed the claim through and the money lands on Friday.",
    "I've closed the old account and cancelled that bill.",
    "A courier will bring your medicine first thing tomorrow.",
)
CALLER_MOOD = {
    "neg": ("I've had it up to here with this lot.", "I'm not happy about any of this."),
    "neu": ("Fine, I'll wait for Friday then.", "Fair enough, I'll keep checking the post."),
    "pos": ("Phew, that takes a load off, thanks.", "You've been an absolute star."),
}
OFFERS = (
    "Anything else on your mind I could sort while we're talking?",
    "Before you go, is there something else I can check for you?",
    "Any other bits and bobs you need sorting tonight?",
)
CALLER_DONE = {
    "neg": ("No. Just get it done.", "No, that's more than enough."),
    "neu": ("No, that covers it.", "Nah, I'm done, cheers."),
    "pos": ("Nope, you've sorted me out, ta.", "That's all, much appreciated."),
}
THANKS = (
    "Cheers for giving {company} a ring.",
    "Thank you for being with {company}, we appreciate it.",
)
GOODBYES = ("Enjoy the rest of your evening, bye.", "Take good care, goodbye.", "Cheerio then, goodbye.")
CALLER_BYE = {"neg": ("Yep. Bye.",), "neu": ("Okay, cheerio.", "Ta, bye."), "pos": ("Brilliant, bye now.",)}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "f")


if __name__ == "__main__":
    main()
