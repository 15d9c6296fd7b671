"""Held-out set M: a tenth generator of labelled calls, written by the integrator at the start of stop 26,
before any of that stop's verdict changes, to be decoded once with the stop's first-decode code and judged
once, at the end, by the stop's final code (and by its starting code, for the before column).

Why a tenth: J's results were read call by call at the end of stop 25 (its one wrong certain closing), so J is
a tuning set now. M's companies, agent names, greetings, offers of help, thanks, goodbyes, forbidden remarks,
empathy, caller lines and voices are new (espeak-ng variants no other set uses; the neural voice at two paces
no other set uses). Its call shape is B's to J's (`bench.callgen.hold_and_refusal_call`).
tests/bench/test_generators.py checks that no training sentence (qa/data), script phrase or earlier set's
sentence is close to a sentence here. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_m [--n 40] [--seed 1] [--out data/heldout-m]
    callqa eval data/heldout-m
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(0.92), "en-gb+iven3", piper_voice(1.09), "en-us+marcelo")
CALLER_VOICES = ("en-us+Henrique", "en-gb+Diogo", "en-gb-scotland+antonio", "en-us+Nguyen")
COMPANIES = (
    "Harrowgate Water",
    "Oakhurst Vets",
    "Brightmoor Energy",
    "Calder Valley Buses",
    "Pennant Mobile",
)
AGENTS = ("Wilfred", "Esme", "Bartholomew", "Niamh", "Cyrus", "Delphine")

GREETINGS = {
    "full": (
        "Good afternoon, {company}, {agent} on the line, how can I make your day better?",
        "Hi, you're through to {company}, I'm {agent}, where shall we start?",
        "Good day, {company} helpdesk, {agent} here at your service.",
        "Hello and welcome to {company}, {agent} talking, what's the trouble?",
    ),
    "no_company": (
        "Good afternoon, {agent} on the line, how can I make your day better?",
        "Hello and welcome, {agent} talking, what's the trouble?",
    ),
    "no_self": (
        "Hi, you're through to {company}, where shall we start?",
        "Good day, {company} helpdesk, at your service.",
    ),
    "absent": ("Uh-huh, go on then.", "Yes? Who is it?"),
}
LATE_OPENER = (
    "Sorry, my headset cut out for a second.",
    "Bear with me, the screen has gone blank.",
)
PROBLEMS = (
    "The water from my taps has gone the colour of tea.",
    "My dog's vaccination booking vanished from your system.",
    "My gas was taken out of my account two times in October.",
    "The number forty-two bus hasn't turned up all week.",
    "My phone shows no signal even in the town centre.",
)
IDENTIFY = (
    "Which house number and street is this for?",
    "What's the reference at the top of your last bill?",
)
CALLER_DETAILS = (
    "Flat six, Quarry Mews.",
    "It's B R four four nine.",
    "Give me a second, it's in my other bag.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "Let me look into the pipe records, please stay with me.",
    "I'll need a couple of minutes to check the rota.",
)
BACK = ("Right, I've got the full picture now.", "That's me back, much obliged for your patience.")
REFUSALS = (
    "I'm not able to cancel the charge today, but I can freeze the account while we look into it.",
    "The surgery is fully booked this week, so I'll put you first on the cancellation list.",
)
CALLER_ACKS = (
    "Fine, I suppose it has to be.",
    "Okay, I'll take that.",
    "Hmm, alright.",
)
FORBIDDEN = {
    "blame_customer": (
        "If you'd read the meter properly we wouldn't be having this conversation.",
        "You booked it for the wrong day, that one's on you.",
    ),
    "blame_shifting": (
        "Billing sits in a different building, take it up with them.",
        "Roads are the council's lookout, so bother them instead.",
    ),
    "rude": (
        "Honestly, have you switched your brain off?",
        "How many times, it's printed on the letter in bold.",
    ),
}
EMPATHY = (
    "Oh dear, what a horrid week you've had, I'm sorry.",
    "I can quite see why you'd be upset about that.",
    "That must have been a real worry, with the dog poorly and everything.",
)
RESOLUTIONS = (
    "A crew will flush the main on your street by tomorrow evening.",
    "I've put the duplicate payment back on your card.",
    "I've rebooked the vaccination for Monday at ten.",
)
CALLER_MOOD = {
    "neg": (
        "Three calls it's taken me to get this far.",
        "We'll see if anybody actually turns up.",
    ),
    "neu": ("Monday at ten then.", "Tomorrow evening, okay."),
    "pos": ("Oh brilliant, that's perfect.", "Oh, what a relief."),
}
OFFERS = (
    "Is there something more I can sort out for you?",
    "Before you go, any other questions for me?",
    "What else can I check while I've got you?",
)
CALLER_DONE = {
    "neg": ("No. I've had my fill of phone calls.", "Not unless you can fix the rest."),
    "neu": ("Er, no, I reckon that's it.", "Nah, sorted."),
    "pos": ("No, you've made my week.", "Nothing more, top marks to you."),
}
THANKS = (
    "Grateful you picked up the phone to {company}.",
    "Cheers for giving {company} a call today.",
)
GOODBYES = (
    "Hope the kettle's on when you get in, goodbye.",
    "Hope the evening treats you well, bye bye.",
    "Speak soon, cheerio.",
)
CALLER_BYE = {
    "neg": ("Yeah. Ciao.",),
    "neu": ("Cheers, goodbye.", "Righto, goodnight."),
    "pos": ("Aw, you're a gem, bye!",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "m")


if __name__ == "__main__":
    main()
