"""Held-out set I: an eighth generator of labelled calls, written by the integrator at the start of stop 24,
before any of that stop's verdict changes, to be decoded once with the stop's first-decode code and judged
once, at the end, by the stop's final code (and by its starting code, for the before column).

Why an eighth: H's aggregates were read at the end of stops 22 and 23. I's companies, agent names,
greetings, offers of help, thanks, goodbyes, forbidden remarks, empathy, caller lines and voices are new
(espeak-ng variants no other set uses; the neural voice at two paces no other set uses). Its call shape is
B's to H's (`bench.callgen.hold_and_refusal_call`). tests/bench/test_generators.py checks that no training
sentence (qa/data), script phrase or earlier set's sentence is close to a sentence here. Labels follow the
dev-set README definitions.

Usage (from the repository root):
    python -m bench.heldout_calls_i [--n 40] [--seed 1] [--out data/heldout-i]
    callqa eval data/heldout-i
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.03), "en-gb-x-rp+steph2", piper_voice(0.88), "en-us+iven2")
CALLER_VOICES = ("en-gb+boris", "en-us+Storm", "en-gb-scotland+michel", "en-us-nyc+Gene2")
COMPANIES = (
    "Castlegate Opticians",
    "Hollybrook Energy",
    "Calderbrook Housing",
    "Brackenridge Motors",
    "Glenvale Water",
)
AGENTS = ("Ailsa", "Esme", "Beatrix", "Anselm", "Ottilie", "Declan")

GREETINGS = {
    "full": (
        "Good afternoon and welcome to {company}, you're speaking with {agent}, what's happened?",
        "Hello, {company}, {agent} on the line, how may I direct your call?",
        "Hi, thanks for phoning {company}, I'm {agent}, where would you like to start?",
        "Good morning, {agent} here at {company}, fire away.",
    ),
    "no_company": (
        "Good afternoon, you're speaking with {agent}, what's happened?",
        "Good morning, {agent} here, fire away.",
    ),
    "no_self": (
        "Hi, thanks for phoning {company}, where would you like to start?",
        "Hello, {company}, how may I direct your call?",
    ),
    "absent": ("Go on then, out with it.", "Yes? What's this about?"),
}
LATE_OPENER = (
    "Sorry, I was just finishing a note from the last caller.",
    "One second, my headset slipped off.",
)
PROBLEMS = (
    "My new glasses came back with the wrong lenses in them.",
    "The bill says I burned three times the gas I did last winter.",
    "The mould in my bathroom is back and nobody has come round.",
    "My car came back from its service with a warning light flashing.",
    "There's water pooling around the meter outside my front door.",
)
IDENTIFY = (
    "Could I take the first line of your address?",
    "Have you got your customer number to hand?",
)
CALLER_DETAILS = (
    "Fourteen Mill Lane.",
    "It's C G four four eight two.",
    "Give me a sec, it's stuck to the fridge.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'll run it past our repairs desk, bear with me a few moments.",
    "Let me read through the notes on your file, I won't be long.",
)
BACK = ("Sorry for the wait, I've got it all in front of me now.", "Right, I'm with you again.")
REFUSALS = (
    "I'm not able to scrap the call-out fee, though I can take it off your next bill.",
    "Nobody can come out tonight, but there's a slot first thing tomorrow.",
)
CALLER_ACKS = (
    "Hmm, beggars can't be choosers.",
    "Okay, carry on.",
    "Not ideal, but fine.",
)
FORBIDDEN = {
    "blame_customer": (
        "You chose those frames yourself, so the mix-up is on you.",
        "If you'd taken the readings properly none of this would have happened.",
    ),
    "blame_shifting": (
        "Meters aren't my area, ring the supplier yourself.",
        "That's one for the lettings office, I don't deal with any of it.",
    ),
    "rude": (
        "Do you want this fixed or not? Then be quiet a minute.",
        "I've gone over this twice now, try to keep up.",
    ),
}
EMPATHY = (
    "Oh no, that must have been such a worry for you.",
    "You shouldn't have had to chase this up, I'm sorry.",
    "What a rotten thing to come home to, I'm really sorry.",
)
RESOLUTIONS = (
    "I've booked someone out for eight tomorrow morning.",
    "I've ordered a fresh pair of lenses at no charge.",
    "I've corrected the reading, so the bill comes down by about forty pounds.",
)
CALLER_MOOD = {
    "neg": (
        "This is the third time I've had to ring about it.",
        "I'm fed up to the back teeth, frankly.",
    ),
    "neu": ("Okay, I'll look out for the letter.", "Right, eight tomorrow."),
    "pos": ("Brilliant, I can finally relax.", "Oh thank goodness for that."),
}
OFFERS = (
    "Is there some other matter I can help you with?",
    "Was there anything more on your list today?",
    "Anything more you'd like me to look into while we're talking?",
)
CALLER_DONE = {
    "neg": ("No. Just see that it happens.", "No, that's plenty."),
    "neu": ("Nah, I reckon we got through it all.", "That's the lot."),
    "pos": ("No, honestly, you've been a diamond.", "Nothing more, that's perfect."),
}
THANKS = (
    "Thank you so much for contacting {company}.",
    "It was good of you to call {company}.",
)
GOODBYES = (
    "Enjoy your evening, goodbye.",
    "Have a good rest of the day, bye.",
    "Keep well, bye-bye.",
)
CALLER_BYE = {
    "neg": ("Hmm. Bye.",),
    "neu": ("Cheers, ta-ra.", "Righto, goodbye to you too."),
    "pos": ("You're a star, bye!",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "i")


if __name__ == "__main__":
    main()
