"""A third labelled-call generator (set C): wording, companies, agent names and voices of its own, to tune the
verdicts' doubts on calls that are neither the dev set nor set A, so set B can stay the untuned measurement.

Set C may be looked at call by call (its misses, its doubts); its sentences are never copied into the
classifier data in qa/data (tests/bench/test_generators.py checks that), so it keeps telling how the
verdicts hold on wording they were not trained on. Labels follow the dev-set README. Its calls vary what
the other sets keep fixed: the order of the greeting's parts, an offer of help or a goodbye worded
outside the phrase lists, a colleague named in the middle of the call, a closing split over two turns.
Usage (from the repository root):
    python -m bench.heldout_calls_c [--n 40] [--seed 1] [--out data/heldout-c]
    callqa eval data/heldout-c --save data/eval/heldout-c.jsonl
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.callgen import (
    Labels,
    Turn,
    draw_outline,
    middle_turns,
    opening_turns,
    pause,
    piper_voice,
    run_generator,
)
from callqa.services.demo import Voice

AGENT_VOICES: tuple[Voice, ...] = ("en-us-nyc+f1", "en-gb-x-rp+m3", piper_voice(1.15), "en-029+f4")
CALLER_VOICES: tuple[Voice, ...] = ("en-gb-scotland+m1", "en-us+f1", "en-gb-x-gbclan+m8", "en-us+m4")
COMPANIES = ("Northgate Energy", "Bluewater Travel", "Tandem Credit Union", "Orbit Telecom", "Redwood Homes")
AGENTS = ("Priya", "Tomas", "Grace", "Kwame", "Helen", "Marco")

GREETINGS = {
    "full": (
        "Morning, this is {agent} at {company}, what can I sort out for you?",
        "{company}, hello, {agent} speaking, how can I help?",
        "Hello, thank you for calling {company}, you're through to {agent}.",
        "Good morning and welcome to {company}, I'm {agent}, what's the reason for your call?",
    ),
    "no_company": (
        "Hi, {agent} speaking, who am I talking to?",
        "Good evening, you're through to {agent}, how can I help?",
    ),
    "no_self": (
        "Hello, {company} support, how can I help?",
        "Thank you for calling {company}, what can I do for you?",
    ),
    "absent": ("Yep, what's up?", "Okay, tell me what you need."),
}
LATE_OPENER = ("Bear with me.", "Sorry, one sec.")
PROBLEMS = (
    "My booking confirmation never arrived.",
    "The meter reading on my bill is wrong.",
    "I was charged a fee I don't understand.",
    "My internet drops out every evening.",
    "I need to change the name on my account.",
)
AGENT_WORK = (
    "What's the house number and street, please?",
    "I'm just opening your details now.",
    "Right, I can see the problem on our side, I'm fixing it.",
    "My colleague Sandra in the billing team will email you a confirmation.",
    "That's been refunded, it can take five days to show.",
)
CALLER_REPLIES = ("Yes, it's twelve Mill Lane.", "Okay, go on.", "Fine.")
FORBIDDEN = {
    "blame_customer": (
        "Well, you typed the reference in wrong, that's why.",
        "None of this would happen if you read our emails.",
    ),
    "blame_shifting": (
        "Honestly that's for the engineers, I can't do anything about it.",
        "You'd have to take that up with head office, it's not down to me.",
    ),
    "rude": (
        "I've already said that twice, listen properly.",
        "Can you just let me finish for once.",
    ),
}
EMPATHY = (
    "Oh no, I'm sorry, that's really not what you need.",
    "I can tell this has been a real hassle for you.",
)
CALLER_MOOD = {
    "neg": ("I'm fed up, this keeps happening.", "That's useless, I'll be complaining about this."),
    "neu": ("Alright, I'll look out for the email.", "Okay, I'll ring back if it happens again."),
    "pos": ("Perfect, thank you, that's a weight off.", "Lovely, you've been really helpful."),
}
OFFERS = (
    "Was there anything else you needed today?",
    "Is there something more I could help you with?",
    "Can I check anything further for you while you're on?",
)
CALLER_DONE = {
    "neg": ("No. I just hope it actually works this time.",),
    "neu": ("No, that's all.", "Nah, I'm all good."),
    "pos": ("No, that's everything, thanks a lot.",),
}
"""The caller's answer to the offer of help, in the mood of their last turn (the label is how they sound
last)."""
CALLER_BYE = {"neg": ("Whatever.",), "neu": ("Okay.",), "pos": ("Thanks, you too.",)}
THANKS = ("Thanks for calling {company}.", "Thank you for choosing {company}.")
GOODBYES = ("Speak soon, bye-bye.", "Have a good day, goodbye.", "Mind how you go, goodbye.")
NO_THANKS_END = ("Okay, cheers, bye.", "Right, goodbye.")


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
    closing, mood = outline.closing_kind, outline.mood
    if closing in ("full", "no_thanks"):
        turns.append(("agent", rng.choice(OFFERS), pause(rng)))
        turns.append(("caller", rng.choice(CALLER_DONE[mood]), pause(rng)))
    if closing in ("full", "no_offer"):
        thanks, goodbye = rng.choice(THANKS).format(**outline.fill), rng.choice(GOODBYES)
        if rng.random() < 0.3:  # the goodbye as its own turn after the caller's
            turns.append(("agent", thanks, pause(rng)))
            turns.append(("caller", rng.choice(CALLER_BYE[mood]), pause(rng)))
            turns.append(("agent", goodbye, pause(rng)))
        else:
            turns.append(("agent", f"{thanks} {goodbye}", pause(rng)))
    elif closing == "no_thanks":
        turns.append(("agent", rng.choice(NO_THANKS_END), pause(rng)))
    return turns, outline.labels(dead_air)


def main() -> None:
    run_generator(
        __doc__,
        prefix="heldout-c",
        default_out=Path("data/heldout-c"),
        default_n=40,
        build_call=build_call,
        agent_voices=AGENT_VOICES,
        caller_voices=CALLER_VOICES,
    )


if __name__ == "__main__":
    main()
