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

from bench.callgen import Turn, run_generator

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


def build_call(rng: random.Random) -> tuple[list[Turn], dict[str, object]]:
    """A call's turns and its labels (dev-set format)."""
    company, agent = rng.choice(COMPANIES), rng.choice(AGENTS)
    fill = {"company": company, "agent": agent}
    kind = rng.choices(["full", "no_company", "no_self", "absent", "late"], [5, 1, 1, 1, 1])[0]
    closing = rng.choices(["full", "no_thanks", "no_offer", "absent"], [5, 1, 1, 1])[0]
    forbidden = [c for c in FORBIDDEN if rng.random() < 0.2]
    empathy = rng.random() < 0.4
    mood = rng.choice(list(CALLER_MOOD))
    dead_air = kind == "late" or rng.random() < 0.25

    def pause() -> float:
        return round(rng.uniform(0.4, 1.2), 2)

    turns: list[Turn] = []
    if kind == "late":
        turns.append(("agent", rng.choice(LATE_OPENER), 0.5))
        turns.append(
            ("agent", rng.choice(GREETINGS["full"]).format(**fill), round(rng.uniform(20.0, 23.0), 2))
        )
    else:
        turns.append(("agent", rng.choice(GREETINGS[kind]).format(**fill), 0.5))
    turns.append(("caller", rng.choice(PROBLEMS), pause()))
    middle: list[Turn] = [
        ("agent", rng.choice(AGENT_WORK[:2]), pause()),
        ("caller", rng.choice(CALLER_REPLIES), pause()),
    ]
    if empathy:
        middle.insert(0, ("agent", rng.choice(EMPATHY), pause()))
    for category in forbidden:
        middle.append(("agent", rng.choice(FORBIDDEN[category]), pause()))
    middle.append(
        (
            "agent",
            rng.choice(AGENT_WORK[2:]),
            round(rng.uniform(11.0, 14.0), 2) if dead_air and kind != "late" else pause(),
        )
    )
    middle.append(("caller", rng.choice(CALLER_MOOD[mood]), pause()))
    turns.extend(middle)
    if closing in ("full", "no_thanks"):
        turns.append(("agent", rng.choice(OFFERS), pause()))
        turns.append(("caller", rng.choice(CALLER_DONE), pause()))
    if closing in ("full", "no_offer"):
        turns.append(("agent", rng.choice(THANKS).format(**fill) + " " + rng.choice(GOODBYES), pause()))
    elif closing == "no_thanks":
        turns.append(("agent", "Alright then, goodbye.", pause()))
    labels = {
        "company": company,
        "agent_name": agent,
        "greeting": kind == "full",
        "greeting_kind": kind,
        "empathy": empathy,
        "forbidden": forbidden,
        "dead_air": dead_air,
        "caller_sentiment_end": mood,
        "closing": closing == "full",
        "closing_kind": closing,
    }
    return turns, labels


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
