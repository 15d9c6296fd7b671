"""Held-out set E: a fourth generator of labelled calls, written by the integrator in stop 19 after set D had
been measured at the end of several sessions, to be decoded and judged once, by the final code of a session.

Why a fourth: each time D's figures are read, a little of D reaches the next decision (D's aggregates were
quoted in briefs; one rule's floor was motivated by one). E's companies, agent names, greetings, offers of
help, thanks, goodbyes, forbidden remarks, empathy, caller lines and voices are new (espeak-ng variants no
other set uses; the neural voice at two paces no other set uses). Its call shape is D's and B's
(`bench.callgen.hold_and_refusal_call`): holds that keep ownership, polite refusals, closings spread over
two turns. tests/bench/test_generators.py checks that no training sentence (qa/data) or script phrase is
close to a sentence here. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_e [--n 40] [--seed 1] [--out data/heldout-e]
    callqa eval data/heldout-e
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(0.97), "en-gb+Andy", piper_voice(1.1), "en-us+linda")
CALLER_VOICES = ("en-us-nyc+benjamin", "en-gb-x-rp+zac", "en-us+Andrea", "en-gb-scotland+caleb")
COMPANIES = ("Harrowgate Gas", "Quillon Bank", "Beckford Telecom", "Oriel Home Cover", "Saltmarsh Rail")
AGENTS = ("Fergus", "Anjali", "Tobias", "Marisol", "Gethin", "Noor")

GREETINGS = {
    "full": (
        "Morning, {company} billing office, {agent} picking up, what's gone wrong for you?",
        "Hiya, you're through to {company}, I'm {agent}, what can I look at for you?",
        "Good afternoon and welcome to {company}, {agent} here, how are things?",
        "Hello, {company} service desk, you're talking to {agent}, what's up today?",
    ),
    "no_company": (
        "Morning, {agent} picking up, what's gone wrong for you?",
        "Good afternoon, you're talking to {agent}, how are things?",
    ),
    "no_self": (
        "Hiya, you're through to {company}, what can I look at for you?",
        "Good afternoon and welcome to {company}, how are things?",
    ),
    "absent": ("Yeah, what's the matter?", "Right, fire away."),
}
LATE_OPENER = ("Bear with me, I'm just finishing a note.", "Sorry, my headset slipped, hang on.")
PROBLEMS = (
    "My boiler cover renewal went up by forty percent without a letter.",
    "The train app took my money but never sent the ticket.",
    "Someone's opened a card in my name, I think.",
    "My landline crackles every time it rains.",
    "The meter reading on my bill is way higher than the meter says.",
)
IDENTIFY = ("What's the first line of your address?", "Which email address is on the account?")
CALLER_DETAILS = (
    "Twelve Orchard Close.",
    "It's h dot walsh at mailbox dot com.",
    "Hang on, it's on the letter somewhere.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "Let me pop you on hold briefly while I read back through the notes, I'll be right with you.",
    "I'm going to ring our fraud line on the other phone, stay there and I'll come straight back.",
)
BACK = ("Okay, that took a while, I've got it all here.", "Okay, I've had a proper look now.")
REFUSALS = (
    "I can't waive the whole charge, but I can take half of it off.",
    "We don't refund used tickets, though I can put it towards your next journey.",
)
CALLER_ACKS = ("Hmph, if I must.", "Alright, I suppose.", "Fine, what next?")
FORBIDDEN = {
    "blame_customer": (
        "You didn't read the renewal email we sent, that one's your own doing.",
        "You should have locked your card the moment you lost it.",
    ),
    "blame_shifting": (
        "That's the fraud lot's headache, I'm not the one who sorts that, ring them yourself.",
        "The app is run by another company, so go and moan to them.",
    ),
    "rude": (
        "Can you stop talking over me for one second?",
        "I've explained it twice already, I'm not saying it again.",
    ),
}
EMPATHY = (
    "Oh no, that's a horrible thing to find out, I'm really sorry.",
    "I can hear how much that's shaken you.",
    "Apologies, that really shouldn't have happened to you.",
)
RESOLUTIONS = (
    "I've frozen the card and ordered you a new one.",
    "I've put the old price back on and emailed you the confirmation.",
    "An engineer will check the line outside your house on Thursday.",
)
CALLER_MOOD = {
    "neg": ("This whole thing has been a nightmare.", "I'm still really annoyed, to be honest."),
    "neu": ("Okay, I'll keep an eye on it.", "Right, noted."),
    "pos": ("Lovely, I can finally stop worrying.", "Fantastic, you've been really helpful."),
}
OFFERS = (
    "While I've got you, anything more on the account I can look at?",
    "Was there anything further you wanted to ask me about today?",
    "Is that everything I can help with for now?",
)
CALLER_DONE = {
    "neg": ("No. Just make sure it works.", "Nah, we're done here."),
    "neu": ("No, I'm all set.", "Not a thing."),
    "pos": ("No, all sorted, cheers.", "That's it, thanks a lot."),
}
THANKS = (
    "We're grateful you chose {company}, thank you.",
    "Thanks a lot for getting in touch with {company} today.",
)
GOODBYES = ("Goodbye, and look after yourself.", "Goodbye, mind how you go.", "Bye, speak soon.")
CALLER_BYE = {"neg": ("Bye.",), "neu": ("Right you are, bye.", "Later, bye."), "pos": ("Lovely, bye bye.",)}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "e")


if __name__ == "__main__":
    main()
