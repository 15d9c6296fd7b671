"""Verdicts on calls the project has never seen: a labelled set generated here, then `callqa eval` on it.

The dev set is what the verdicts were tuned on; this measures how they hold up on other companies, agent
names, voices and wording. Calls are assembled from the wording pools below (written for this check
alone; since then several of its sentences, its forbidden remarks among them, have been added to the
classifier data in qa/data, so set B is the cleaner held-out set), spoken by espeak-ng voices the
demo does not use (en-gb+f3, en-us+m5 and en-us+m7 also read dev-set calls; set B's voices are all new),
and sent through the same simulated phone line (8 kHz, mu-law, 18–30 dB noise). Labels follow the dev-set
README, so the output is directly comparable. `bench/heldout_calls_b.py` is a second, independent
generator (its own wording, names and voices).
Usage (from the repository root; `make eval` runs both and the report):
    python -m bench.heldout_calls [--n 40] [--seed 1] [--out data/heldout-a]
    callqa eval data/heldout-a
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.callgen import Labels, Turn, draw_outline, middle_turns, opening_turns, pause, run_generator

AGENT_VOICES = ("en-us+m2", "en-gb+f3", "en-us+f5", "en-gb+m4")
CALLER_VOICES = ("en-us+m7", "en-gb+f2", "en-us+m5", "en-gb+m6")
COMPANIES = ("Harbor Bank", "Lumen Insurance", "Crestview Water", "Pinnacle Mobile", "Silverline Broadband")
AGENTS = ("Luis", "Mei", "Daniel", "Fatima", "Oscar", "Ingrid")

GREETINGS = {
    "full": (
        "Good evening, you've reached {company}, {agent} here, what can I do for you?",
        "Hi there, welcome to {company}, my name's {agent}, how may I assist you?",
        "Hello and thanks for ringing {company}, I'm {agent}, how can I help today?",
        "Good afternoon, {company} customer care, you're speaking with {agent}, how can I help?",
    ),
    "no_company": (
        "Hello, my name is {agent}, how can I help you?",
        "Good afternoon, {agent} speaking, what can I do for you?",
    ),
    "no_self": (
        "Good morning, {company}, how can I help?",
        "Welcome to {company}, what can I do for you today?",
    ),
    "absent": ("Yes, go ahead.", "Hi, what's the problem?"),
}
LATE_OPENER = ("One second.", "Just a moment.")
PROBLEMS = (
    "My direct debit was taken twice this month.",
    "I can't log in to the app since the update.",
    "I'd like to move my policy to my new address.",
    "There's no water pressure at my house since this morning.",
    "My phone has had no signal for two days.",
)
AGENT_WORK = (
    "Could you confirm your postcode please?",
    "Let me pull up your account.",
    "I can see what happened, I'm correcting it now.",
    "You should see the change within three working days.",
    "I've applied a credit to your next bill.",
)
CALLER_REPLIES = ("Sure, it's double seven four one.", "Okay.", "Right, thanks.")
FORBIDDEN = {
    "blame_customer": (
        "That happened because you didn't update your details.",
        "If you'd paid on time this wouldn't have happened.",
        "You must have entered the wrong card number yourself.",
    ),
    "blame_shifting": (
        "That's a billing issue, not something I deal with.",
        "You'll need to ring another team, I can't help with that.",
        "That's not my area, try the website.",
    ),
    "rude": (
        "Look, just do what I told you.",
        "I haven't got all day, hurry up.",
        "Stop interrupting me.",
    ),
}
EMPATHY = (
    "I completely understand how frustrating that must be.",
    "I'm really sorry you've had to deal with this.",
    "That sounds really stressful, let's get it sorted.",
)
CALLER_MOOD = {
    "neg": (
        "Honestly this has been a complete waste of my time.",
        "I'm really disappointed, nothing ever works with you people.",
        "This is the worst service I have ever had.",
    ),
    "neu": ("Okay, I'll wait for the letter then.", "Right, I'll check it again tomorrow."),
    "pos": ("Brilliant, that's sorted it, thanks so much.", "That's great, I really appreciate your help."),
}
OFFERS = ("Is there anything more I can do for you?", "Can I help with anything else today?")
CALLER_DONE = ("No, that's everything.", "No thanks.")
THANKS = ("Thanks for choosing {company}.", "Thank you for calling {company}.")
GOODBYES = ("Take care, bye now.", "Have a lovely evening, goodbye.")


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    outline = draw_outline(rng, COMPANIES, AGENTS, list(FORBIDDEN), list(CALLER_MOOD))
    dead_air = outline.greeting_kind == "late" or rng.random() < 0.25
    turns = opening_turns(rng, outline.greeting_kind, GREETINGS, LATE_OPENER, outline.fill)
    turns.append(("caller", rng.choice(PROBLEMS), pause(rng)))
    turns += middle_turns(
        rng,
        outline,
        work=AGENT_WORK,
        replies=CALLER_REPLIES,
        empathy=EMPATHY,
        remarks=FORBIDDEN,
        moods=CALLER_MOOD,
        dead_air=dead_air,
    )
    closing = outline.closing_kind
    if closing in ("full", "no_thanks"):
        turns.append(("agent", rng.choice(OFFERS), pause(rng)))
        turns.append(("caller", rng.choice(CALLER_DONE), pause(rng)))
    if closing in ("full", "no_offer"):
        thanks = rng.choice(THANKS).format(**outline.fill)
        turns.append(("agent", thanks + " " + rng.choice(GOODBYES), pause(rng)))
    elif closing == "no_thanks":
        turns.append(("agent", "Alright then, goodbye.", pause(rng)))
    return turns, outline.labels(dead_air)


def main() -> None:
    run_generator(
        __doc__,
        prefix="heldout",
        default_out=Path("data/heldout-a"),
        default_n=40,
        build_call=build_call,
        agent_voices=AGENT_VOICES,
        caller_voices=CALLER_VOICES,
    )


if __name__ == "__main__":
    main()
