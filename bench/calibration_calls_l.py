"""Calibration set L: a second source of decoded agent sentences for the intent model's certainty
(`bench.remark_calibration`), never its training.

Why a second generator: the calls' certainty point must hold with each source set left out
(`qa.intents_calibration`), and set K (`bench.calibration_calls`) carried most of the remark sentences;
without K, the tuning sets' few remark wordings left too few hits for any point. L is written apart from
K and from every other set: its own 30 remarks, ordinary lines that sound near one (holds, hand-overs that
keep ownership, refusals), companies, names and voices (tests/bench/test_generators.py checks the wording).
Same call shape as K (`bench.callgen.hold_and_refusal_call`), each forbidden category at REMARK_RATE.
Labels follow the dev-set README definitions.

Usage (from the repository root):
    python -m bench.calibration_calls_l [--n 40] [--seed 1] [--out data/calibration-l]
    CALLQA_SECOND_OPINION=false callqa eval data/calibration-l --save FIRST.jsonl --json
"""

from __future__ import annotations

import random
import sys

from bench.callgen import Labels, Turn, hold_and_refusal_call, piper_voice, run_pools_generator
from callqa.services.demo import Voice

REMARK_RATE = 0.5
"""Probability (0–1) of each forbidden category in a call (the held-out sets: 0.2)."""
AGENT_VOICES: tuple[Voice, ...] = (piper_voice(1.02), "en-gb+david", piper_voice(0.9), "en-us+john")
CALLER_VOICES = ("en-gb+linda", "en-us+victor", "en-gb-scotland+steph", "en-us+m3")
COMPANIES = (
    "Pemberton Water",
    "Quayside Mobile",
    "Harrowgate Pensions",
    "Nettlefield Removals",
    "Ambervale Hotels",
)
AGENTS = ("Oluwaseun", "Bethan", "Declan", "Priyanka", "Gwilym", "Marisol")

GREETINGS = {
    "full": (
        "Afternoon, {company}, this is {agent} speaking, what's brought you to us?",
        "Hiya, {company} customer line, I'm {agent}, what are we looking at today?",
        "Good morning and welcome to {company}, my name's {agent}, how may I assist?",
        "Hello there, {agent} from {company} picking up, what's going on?",
    ),
    "no_company": (
        "Afternoon, this is {agent} speaking, what's brought you to us?",
        "Hello there, {agent} picking up, what's going on?",
    ),
    "no_self": (
        "Good morning and welcome to {company}, how may I assist?",
        "Hiya, {company} customer line, what are we looking at today?",
    ),
    "absent": ("Uh-huh, yep, fire away.", "Yes?"),
}
LATE_OPENER = (
    "Hang on, my headset slipped off, are you there?",
    "Bear with me, the system is only just loading up.",
)
PROBLEMS = (
    "There's been a brown tinge in my tap water since Monday.",
    "My new phone arrived with a cracked screen and nobody answers my emails.",
    "I can't see my pension statement online anymore, it just says error.",
    "Your removal van turned up a day late and one of my chairs is broken.",
    "I was charged twice for one night at your hotel in Leeds.",
)
IDENTIFY = (
    "Is the nine-digit customer number from your latest letter handy?",
    "So I can find you, which town was the removal going to?",
)
CALLER_DETAILS = (
    "It's seven, four, zero, double one, nine, two.",
    "Forty two Hollybush Lane.",
    "Hold on, it's in my handbag somewhere.",
)
# Ordinary agent speech that sounds near a forbidden remark and is none.
HOLD = (
    "I'll just grab a colleague from the water quality team, it'll only be a minute or so.",
    "Let me put you on a short hold while I pull up the delivery paperwork.",
    "That's one for our pensions specialists, I'll keep hold of your case and bring one of them in.",
)
BACK = (
    "Right, I've got an answer, sorry that took a while.",
    "Cheers for waiting, the team have had a look.",
    "Okay, I'm back with you, the specialist has checked it.",
)
REFUSALS = (
    "I'm afraid I can't refund the whole stay, but I can take off the second night straight away.",
    "The warehouse decides on replacements, so I'll raise it with them myself and ring you tomorrow.",
    "That isn't something I can change over the phone, but I'll post you the form with a prepaid envelope.",
    "The repair can't happen this week, the first slot I can get you is next Thursday.",
)
CALLER_ACKS = (
    "Hmph, half a refund is a start, I suppose.",
    "If there's truly no other way, go on then.",
    "I'll watch the doormat for that envelope.",
)
FORBIDDEN = {
    "blame_customer": (
        "Had you updated your bank details like we asked, this never would have bounced.",
        "Nobody else seems to have trouble with it, so it's something you're doing.",
        "You were told to keep the packaging, and you binned it, so that's that.",
        "Frankly, if you'd turned the stopcock off like the leaflet says, there'd be no damage.",
        "You picked the cheapest tariff, so you can't really moan about what comes with it.",
        "That's what comes of leaving it until the last minute, isn't it.",
        "The password you chose was too easy, so really the lock-out is on your side.",
        "You signed for the delivery without looking, so the breakage is yours to sort.",
        "If you bothered to open your post you'd have seen the warning weeks ago.",
        "Honestly, it's because you keep changing your mind that it's in such a muddle.",
    ),
    "blame_shifting": (
        "The couriers lost it, not us, so go and chase them.",
        "Blame the system upgrade, it's nothing I had a hand in.",
        "I just answer the phones, the refunds lot decide all that.",
        "Write to the ombudsman if you like, it won't be me sorting it.",
        "The hotel manager made that call, so take it up with him directly.",
        "Our contractors did the work, any complaint goes to them, not to me.",
        "That's for the IT people to worry about, I really couldn't tell you.",
        "You'll need a different line for that, I'm not dealing with it.",
        "It's the council's pipes, so that's their headache rather than ours.",
        "Head office set the prices, I can't do a thing, moan at them.",
    ),
    "rude": (
        "Oh, give it a rest, will you.",
        "I've explained this three ways already, try harder to keep up.",
        "Can you stop rabbiting on so I can actually get a word in?",
        "Goodness me, a child could follow this.",
        "Right, enough of the attitude, or I'm ending this call.",
        "Stop going round in circles and tell me what you actually want.",
        "I don't have all morning for your life story, out with it.",
        "Are you deliberately not understanding me?",
        "Honestly, you're wasting both our time here.",
        "Ugh, put someone on who knows what they're talking about.",
    ),
}
EMPATHY = (
    "Gosh, a broken chair after all that waiting, I'm so sorry.",
    "I completely get why you're fed up, that's not good enough.",
    "That must have been a real worry, discoloured water, I'm sorry.",
)
RESOLUTIONS = (
    "I've sent a technician to flush the main, they'll be with you by six.",
    "A new handset is on its way, tracked, and you'll have it on Friday.",
    "I've refunded the duplicate charge, it'll reach your card in three to five days.",
)
CALLER_MOOD = {
    "neg": ("I'll believe that when it happens.", "This whole thing has been a shambles."),
    "neu": ("Friday works, I'll be in all day.", "Fine, I'll keep an eye on my card."),
    "pos": ("Oh brilliant, that's a weight off.", "Perfect, that's exactly what I wanted."),
}
OFFERS = (
    "Is there something else on the account you'd like me to go over?",
    "Before you go, is there another thing I can do for you today?",
    "Have you got any other queries I can clear up while you're on?",
)
CALLER_DONE = {
    "neg": ("No, just make sure it actually happens.", "No."),
    "neu": ("Nope, that's the lot from me.", "Nothing springs to mind, no."),
    "pos": ("No, you've sorted everything, thanks so much.", "All done, thank you."),
}
THANKS = (
    "Many thanks for choosing to call {company}.",
    "Thank you kindly for ringing {company} today.",
)
GOODBYES = (
    "Enjoy what's left of the afternoon, bye.",
    "Okay, speak soon, bye now.",
    "Stay dry out there, goodbye.",
)
CALLER_BYE = {
    "neg": ("Mm, we'll see. Bye.",),
    "neu": ("Right you are, tara.", "Much obliged, see ya."),
    "pos": ("Smashing, toodle-oo.",),
}


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    return hold_and_refusal_call(rng, sys.modules[__name__], remark_rate=REMARK_RATE)


def main() -> None:
    run_pools_generator(sys.modules[__name__], "l")


if __name__ == "__main__":
    main()
