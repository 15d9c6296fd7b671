"""Held-out set G: a sixth generator of labelled calls, written by the integrator at the start of stop 21,
before any of that stop's verdict changes, to be decoded once with the stop's first-decode code and judged
once, at the end, by the stop's final code (and by its starting code, for the before column).

Why a sixth: F was read call by call at the end of stop 20, so it became a tuning set. G's companies, agent
names, greetings, offers of help, thanks, goodbyes, forbidden remarks, empathy, caller lines and voices are
new (espeak-ng variants no other set uses; the neural voice at two paces no other set uses). Its call shape
is B's, D's, E's and F's (`bench.callgen.hold_and_refusal_call`). tests/bench/test_generators.py checks that
no training sentence (qa/data) or script phrase is close to a sentence here. Labels follow the dev-set
README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_g [--n 40] [--seed 1] [--out data/heldout-g]
    callqa eval data/heldout-g
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.0), "en-us+Mike", piper_voice(1.08), "en-gb+david")
CALLER_VOICES = ("en-gb-x-gbclan+Hugo", "en-us+john", "en-us-nyc+Denis", "en-gb+belinda")
COMPANIES = (
    "Tidewell Water",
    "Greystone Mortgages",
    "Kingfisher Broadband",
    "Wrenfield Removals",
    "Hollybank Care Homes",
)
AGENTS = ("Rhiannon", "Zofia", "Odette", "Bartosz", "Imogen", "Desmond")

GREETINGS = {
    "full": (
        "Good day, you've reached {company}, {agent} speaking, how may I assist?",
        "Hello and welcome to {company}, I'm {agent}, what seems to be up?",
        "Good afternoon, {agent} with {company}, what's gone wrong?",
        "Greetings, {company} support desk, {agent} answering, fire away.",
    ),
    "no_company": (
        "Hello and welcome, I'm {agent}, what seems to be up?",
        "Good afternoon, {agent} with you, what's gone wrong?",
    ),
    "no_self": (
        "Hello and welcome to {company}, what seems to be up?",
        "Greetings, {company} support desk, fire away.",
    ),
    "absent": ("Uh-huh, carry on.", "Right, what is it this time?"),
}
LATE_OPENER = (
    "Bear with me, my headset just cut out.",
    "Sorry, I was still typing up a note from before.",
)
PROBLEMS = (
    "My water bill has tripled since the new meter went in.",
    "The removal van never turned up this morning.",
    "My mortgage payment came out of my account twice this month.",
    "The broadband drops out every evening around eight.",
    "Nobody told me my mum's fees were going up.",
)
IDENTIFY = (
    "Could I take the postcode the account is registered to?",
    "What's the first line of the address on the account?",
)
CALLER_DETAILS = (
    "It's L S six, two B Q.",
    "Forty-two Mill Road.",
    "One moment, the letter's in the kitchen drawer.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "Let me have a word with my supervisor about that, can you bear with me for a couple of minutes?",
    "I'll put you on hold briefly while I look through the payment history, stay with me.",
)
BACK = ("Thanks for holding, I've got the details in front of me now.", "Right, sorry that took a while.")
REFUSALS = (
    "The late fee has to stay, though I could split the balance into three payments.",
    "We won't manage to get a van out today, the soonest is Thursday morning.",
)
CALLER_ACKS = (
    "Right, I suppose that helps.",
    "Hmm, okay, go on then.",
    "I'll take it, I guess.",
)
FORBIDDEN = {
    "blame_customer": (
        "You should have told us about the meter yourself, that one's on you.",
        "Frankly, paying late was always going to land you in this mess.",
    ),
    "blame_shifting": (
        "That's the engineers' headache, I can't do a thing about it, ring them.",
        "Head office handle that side, so go and badger them, not me.",
    ),
    "rude": (
        "Oh give it a rest, let me finish my sentence.",
        "I've gone over this three times already, do you actually listen?",
    ),
}
EMPATHY = (
    "Oh no, what an ordeal, I'm sorry you've been left to sort it out.",
    "I completely get why you're fed up, I'd feel exactly the same.",
    "What a nuisance for you, I'm truly sorry.",
)
RESOLUTIONS = (
    "I've refunded the second payment, it'll be back within three working days.",
    "I've booked the van for Thursday and knocked ten percent off the price.",
    "I've flagged the meter for a test reading next week.",
)
CALLER_MOOD = {
    "neg": (
        "This whole thing has been a nightmare from start to finish.",
        "I'm still fuming about it, honestly.",
    ),
    "neu": ("Alright, I'll keep an eye on my bank statement.", "Okay, Thursday it is then."),
    "pos": ("Oh that's marvellous, I'm so relieved.", "Brilliant, that's the best news all week."),
}
OFFERS = (
    "Was there anything further you wanted to go over?",
    "Is there one more thing I can untangle while you're here?",
    "Anything more I can look into on your behalf?",
)
CALLER_DONE = {
    "neg": ("No. I just want this fixed.", "No, leave it there."),
    "neu": ("No, I think that's everything.", "That's all for now."),
    "pos": ("No, you've been a real help, ta.", "Nothing else, lovely, thanks."),
}
THANKS = (
    "Many thanks for contacting {company} today.",
    "We're grateful you got in touch with {company}.",
)
GOODBYES = (
    "All the very best, goodbye.",
    "Catch you another time, goodbye.",
    "Until next time, goodbye for today.",
)
CALLER_BYE = {
    "neg": ("Whatever. Bye.",),
    "neu": ("Okey-doke, ta-ra.", "Right you are, see you."),
    "pos": ("Smashing, cheers now.",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "g")


if __name__ == "__main__":
    main()
