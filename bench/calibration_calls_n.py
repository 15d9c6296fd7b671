"""Calibration set N: a third source of decoded agent sentences for the intent model's certainty
(`bench.remark_calibration`), never its training.

Why a third generator: the certainty point is chosen with each source set left out in turn
(`qa.intents_calibration`), and it is only as independent as the sets it is chosen on; K and L were read
sentence by sentence while training rows were being written. N was written at stop 26, after the training
rows it checks, and is not edited because of what the model makes of it. Its own 30 remarks
(short ones too: "Oh, come off it."), ordinary lines near one (curt but polite requests to speak up, holds,
hand-overs that keep ownership, refusals), companies, names and voices (tests/bench/test_generators.py
checks the wording). Same call shape as K and L (`bench.callgen.hold_and_refusal_call`), each forbidden
category at REMARK_RATE. Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.calibration_calls_n [--n 40] [--seed 1] [--out data/calibration-n]
    CALLQA_SECOND_OPINION=false callqa eval data/calibration-n --save FIRST.jsonl --json
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

REMARK_RATE = 0.5
"""Probability (0–1) of each forbidden category in a call (the held-out sets: 0.2)."""
AGENT_VOICES: tuple[Voice, ...] = (
    piper_voice(0.99),
    "en-us+iven4",
    piper_voice(1.16),
    "en-gb-x-gbcwmd+pablo",
)
CALLER_VOICES = ("en-gb+grandpa", "en-us+pedro", "en-gb-scotland+grandma", "en-us-nyc+Marco")
COMPANIES = (
    "Ashcombe Energy",
    "Pennyroyal Parcels",
    "Greystoke Motor Insurance",
    "Orchardleigh Lettings",
    "Saltcote Broadband",
)
AGENTS = ("Anwen", "Rashida", "Femi", "Lorcan", "Maren", "Tadeusz")

GREETINGS = {
    "full": (
        "Morning, you're through to {company}, {agent} here, what needs fixing today?",
        "{agent} on the line for {company}, good afternoon, how can I be useful?",
        "Hi, it's {agent} at {company}, what's happened?",
        "Hello, {company} support desk, my name is {agent}, tell me what's up.",
    ),
    "no_company": (
        "Morning, {agent} here, what needs fixing today?",
        "Hi, it's {agent}, what's happened?",
    ),
    "no_self": (
        "{company}, good afternoon, how can I be useful?",
        "Hello, {company} support desk, tell me what's up.",
    ),
    "absent": ("Mm, yeah, who's calling?", "Mm-hm, who've I got?"),
}
LATE_OPENER = (
    "Sorry, I was on mute there, can you hear me now?",
    "One second, my screen froze, right, I'm with you.",
)
PROBLEMS = (
    "My energy direct debit jumped by forty pounds with no letter at all.",
    "The tracking says my parcel was left in a safe place but there's nothing here.",
    "After the crash I was told I'd get a courtesy car and nobody has rung.",
    "My landlord claims the deposit paperwork never reached you.",
    "Every night at about eight my broadband falls over.",
)
IDENTIFY = (
    "You're very faint, could you speak up a touch and give me the postcode?",
    "What's the reference printed at the top of your renewal letter?",
)
CALLER_DETAILS = (
    "It's B S nine, four T Q.",
    "K L three three eight zero.",
    "Hang on, I wrote it on the calendar.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'm going to check with the claims handlers, please stay on the line.",
    "Can I pop you on hold while I read the engineer's notes?",
    "Deposit queries sit with our lettings team, I'll talk to them now and stay on your case.",
)
BACK = (
    "Thanks for holding, I've spoken to them.",
    "Sorry that was a while, I've got an update.",
    "I'm back, and the notes are in front of me.",
)
REFUSALS = (
    "I can't scrap the whole increase, but I can switch you to the fixed plan, which works out cheaper.",
    "The assessor has to sign off the hire car, so I'll chase them for you this afternoon.",
    "I'm not allowed to promise that, though I'll flag it for my manager to call you.",
    "No engineer is free today, the soonest I can do is Saturday morning.",
)
CALLER_ACKS = (
    "Saturday is better than nothing, I suppose.",
    "Fine, as long as somebody really does ring.",
    "Go on then, the fixed plan.",
)
FORBIDDEN = {
    "blame_customer": (
        "You didn't renew in time, so the price went up, simple as that.",
        "The router's shut in a cupboard, no wonder the signal's rubbish.",
        "You should have photographed the damage on the day, it's only your word now.",
        "Nobody made you pick the cheapest cover.",
        "If you'd given us the right flat number it would have turned up.",
        "Well, that's on you for not watching the tracking.",
        "You let the direct debit lapse, so naturally it stopped.",
        "The form came back half blank, that's your doing.",
        "You moved the meter box yourself, didn't you, that's why.",
        "Well, you did that to yourself.",
    ),
    "blame_shifting": (
        "Once it leaves the warehouse it's the depot's business, ring them.",
        "The assessor makes that decision, not me, so it's them you want.",
        "I'm only renewals, I can't go near claims.",
        "Sort it out with your landlord, it's between the two of you.",
        "The engineers booked it wrong, I had no part in that.",
        "Sounds like a Royal Mail thing, I'd try them.",
        "Not our side, ring whoever made your router.",
        "Honestly, another team does that, I just do billing.",
        "Prices come from upstairs, so complain upstairs.",
        "The deposit scheme holds the money, so it's them, not me.",
    ),
    "rude": (
        "Can you stop sighing and let me look?",
        "I asked for a postcode, not your life story.",
        "We'll be here all night at this rate.",
        "Listen, I'll say it once more, slowly.",
        "No, no, no, you're not hearing me.",
        "Oh, come off it.",
        "Keep up, please, I'm not saying it again.",
        "What do you want me to do, magic it back?",
        "Yes, I heard you, there's no need to bellow.",
        "Simply tell me what I asked you for.",
    ),
}
EMPATHY = (
    "Oh no, a missing parcel right before the weekend, that's rotten luck.",
    "Being without the car must be so stressful.",
    "I can imagine how maddening it is when it cuts out every night.",
)
RESOLUTIONS = (
    "I've booked the engineer for Saturday between eight and twelve.",
    "I've taken the forty pounds off, the new amount shows on your next statement.",
    "A replacement parcel goes out tonight on a next-day service.",
)
CALLER_MOOD = {
    "neg": ("I've heard that one before.", "It shouldn't take a phone call to get this done."),
    "neu": ("Okay, Saturday morning then.", "Right, I'll look out for it."),
    "pos": ("Oh lovely, that's a relief.", "That's sorted then, great stuff."),
}
OFFERS = (
    "While I've got your account open, can I help with anything else?",
    "Is there any other bill or booking I can look at?",
    "Is that everything, or is there something more I can do?",
)
CALLER_DONE = {
    "neg": ("Not unless you can give me back six weeks.", "Nope."),
    "neu": ("I reckon that's everything.", "I think that's the lot, no."),
    "pos": ("You've covered it all, cheers.", "Nothing else, you've been a star."),
}
THANKS = (
    "Thank you so much for phoning {company} tonight.",
    "Thanks a lot for ringing {company} this evening.",
)
GOODBYES = (
    "Bye, and good luck with it all.",
    "Right, all done, goodbye.",
    "Cheerio for now.",
)
CALLER_BYE = {
    "neg": ("Mm. Goodbye.",),
    "neu": ("Alright, ta-ta.", "Ta, I'll let you go."),
    "pos": ("Brill, see you.",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__], remark_rate=REMARK_RATE)


def main() -> None:
    run_pools_generator(sys.modules[__name__], "n")


if __name__ == "__main__":
    main()
