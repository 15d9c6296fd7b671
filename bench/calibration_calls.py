"""Calibration set K: labelled calls whose decoded agent sentences calibrate the intent model's certainty
(`bench.remark_calibration`), never its training.

Why its own generator: the tuning sets hold six remark wordings each, several of them in the training data,
so the remark sentences decoded there are too few and too alike to show from which probability a model-only
remark is right ≥ 95 % of the time. K's wording (24 remarks, and ordinary lines that sound near one: holds,
transfers that keep ownership, refusals) is its own and stays out of qa/data (tests/bench/test_generators.py
checks it). Its call shape is the held-out sets' (`bench.callgen.hold_and_refusal_call`) with each forbidden
category drawn at REMARK_RATE instead of 0.2: more remarks per decoded minute. That mix is richer in remarks
than calls are, so the calibration weighs its false alarms by the calls' prevalence
(`qa.intents_calibration`). Labels follow the dev-set README definitions.
The calls of qa/data/remark_calibration_en.tsv (seeds 1–4) were made before one thanks line was reworded (it
was near a sentence of set H, written at the same time): they say "We appreciate you contacting … today."

Usage (from the repository root):
    python -m bench.calibration_calls [--n 40] [--seed 1] [--out data/calibration-k]
    CALLQA_SECOND_OPINION=false callqa eval data/calibration-k --save FIRST.jsonl --json
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

REMARK_RATE = 0.5
"""Probability (0–1) of each forbidden category in a call (the held-out sets: 0.2)."""
AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.05), "en-us+Andy", piper_voice(0.97), "en-gb-x-rp+edward")
CALLER_VOICES = ("en-us+Alicia", "en-gb+norbert", "en-gb-scotland+f5", "en-us+paul")
COMPANIES = (
    "Larchmont Energy",
    "Saltmarsh Insurance",
    "Brightwater Telecom",
    "Foxglove Travel",
    "Oakridge Lettings",
)
AGENTS = ("Tamsin", "Kwame", "Lucinda", "Ravi", "Henrietta", "Callum")

GREETINGS = {
    "full": (
        "Morning, {company}, you're through to {agent}, how can I sort things out?",
        "Hi there, welcome to {company}, {agent} on the line, what's happened?",
        "Good evening, {agent} at {company}, what can I look at for you?",
        "Hello, you've got {company}, it's {agent} here, how can I be of use?",
    ),
    "no_company": (
        "Morning, you're through to {agent}, how can I sort things out?",
        "Hi there, {agent} on the line, what's happened?",
    ),
    "no_self": (
        "Hi there, welcome to {company}, what's happened?",
        "Good evening, {company}, what can I look at for you?",
    ),
    "absent": ("Mm, and?", "Yep, carry on."),
}
LATE_OPENER = (
    "Just finishing a note on the last call, one second.",
    "Sorry, my screen froze for a moment there.",
)
PROBLEMS = (
    "My gas bill says I used double what I did last winter.",
    "The holiday I booked has been moved to a different hotel without asking me.",
    "My landlord still hasn't fixed the boiler after three weeks.",
    "The phone line crackles so badly I can't hear anyone.",
    "My car insurance renewal price has gone up by four hundred pounds.",
)
IDENTIFY = (
    "Can I have the reference number on your booking, please?",
    "Could you confirm the email address we hold for you?",
)
CALLER_DETAILS = (
    "It's F T nine, eight, eight, two, one.",
    "Sure, it's my surname at the usual provider.",
    "Give me a moment, I wrote it on the back of an envelope.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I need to check something with our claims team, would you mind holding for a minute or two?",
    "I'm going to pop you on hold while I read through the notes, I won't be long.",
    "This needs our technical team, so I'll stay on the line while I bring them in.",
)
BACK = (
    "Appreciate your patience, the team have given me an answer.",
    "Apologies for the wait, I've read the whole history.",
    "I'm back, that took longer than I'd hoped.",
)
REFUSALS = (
    "I can't cancel that fee, but I can spread it over your next two bills.",
    "You should see the corrected bill in about a week, and I'll email you a copy today.",
    "That part is handled by our partner company, so I'll ring them for you and call you back.",
    "Unfortunately I'm not able to change the date, the earliest I can offer is Monday.",
)
CALLER_ACKS = (
    "Fine, I suppose I'll live with it.",
    "Hmm, alright, that'll have to work.",
    "Okay, I'll wait for your call.",
)
FORBIDDEN = {
    "blame_customer": (
        "You ticked the wrong box on the form, so that's down to you.",
        "Well, if you'd kept your receipts we wouldn't be in this situation.",
        "You agreed to these terms when you signed, so I don't know what you expected.",
        "It's because you gave us the old address, that mistake was yours.",
        "You really ought to have read the renewal letter before complaining.",
        "This is what happens when people don't check their own bills.",
        "You left it far too late to book, that's your own doing.",
        "If you'd answered when the engineer rang, it would be fixed already.",
    ),
    "blame_shifting": (
        "That's the landlord's job, I don't see why it lands on my desk.",
        "I only handle bookings, complaints are someone else's problem.",
        "Honestly, you'll have to chase the hotel yourself, I'm not getting involved.",
        "That's down to the underwriters, I can't help you there, speak to them.",
        "It's the network team that broke it, take it up with them, not me.",
        "We don't deal with that here, find another number and call them.",
        "That decision was made upstairs, it's out of my hands entirely.",
        "Ring the supplier, it's their mess to sort out, not mine.",
    ),
    "rude": (
        "Would you quit butting in every time I open my mouth?",
        "I won't say it a third time, so pay attention.",
        "Look, there's no need to get worked up, just be quiet and let me explain.",
        "Do you want my help or not, because this is going nowhere.",
        "Seriously, what part of that didn't you follow?",
        "Just stop moaning and give me the number.",
        "I haven't got all afternoon, spit it out.",
        "Oh for heaven's sake, are you even hearing me?",
    ),
}
EMPATHY = (
    "That sounds like a horrible few weeks, I'm sorry it's been such a battle.",
    "I can hear how stressful this has been, and I'm really sorry.",
    "Oh dear, that's not what you needed on top of everything else.",
)
RESOLUTIONS = (
    "I've corrected the reading and your new bill will be sixty pounds lower.",
    "I've moved you back to the original hotel at no extra cost.",
    "I've booked an engineer for Wednesday morning between eight and twelve.",
)
CALLER_MOOD = {
    "neg": ("I'll believe it when I see it.", "Frankly I'm sick of ringing you lot."),
    "neu": ("Alright, Wednesday morning then.", "Okay, I'll watch my inbox."),
    "pos": ("Oh, what a relief that is.", "Lovely, that's sorted me right out."),
}
OFFERS = (
    "While we're talking, is any other part of the account giving you trouble?",
    "Anything further you'd like me to look into before we finish?",
    "Can I help with any other questions while I've got you?",
)
CALLER_DONE = {
    "neg": ("No, just get this one right.", "Nothing, no."),
    "neu": ("No, that's me done.", "I think that's all."),
    "pos": ("No, you've been brilliant, thank you.", "That's everything, cheers."),
}
THANKS = (
    "Thanks ever so much for calling {company}.",
    "Lovely of you to get in touch with {company}.",
)
GOODBYES = (
    "Take care now, goodbye.",
    "Right, all sorted, cheerio.",
    "All good, goodbye then.",
)
CALLER_BYE = {
    "neg": ("Mm. Later.",),
    "neu": ("Cheers then, ta-ta.", "Okay, ta, bye."),
    "pos": ("Fab, so long.",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__], remark_rate=REMARK_RATE)


def main() -> None:
    run_pools_generator(sys.modules[__name__], "k")


if __name__ == "__main__":
    main()
