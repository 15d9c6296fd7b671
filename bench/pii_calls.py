"""Calls with personal data said in them, labelled with every entity's leg, digits and time: the set
`callqa eval-pii` measures redaction on.

Callers read card numbers (Luhn-valid, in groups, with "double" and "oh", some split over two turns
around the agent's "mm-hmm"), security codes after the agent asks for them, phone numbers, e-mail
addresses ("dot", "at"), dates of birth, social security and account numbers; agents read some back.
Every call also has what must stay: the greeting with the company and the agent's name, order numbers,
amounts and days, the closing. Each entity is spoken as a turn of its own (right after the words
leading to it), so the reference turns give its time. Voices are espeak-ng, over the same simulated
phone line as the dev set (8 kHz, mu-law, 18–30 dB noise).
With `--extra` (files pii-x-SEED-NNN) every call also has one of: an IBAN read letter by letter, a postal
address with its postcode, a card whose first digits the agent reads back.
Usage (from the repository root):
    python -m bench.pii_calls [--n 24] [--seed 1] [--out data/pii-set] [--extra]
    callqa eval-pii data/pii-set
"""

from __future__ import annotations

import argparse
import calendar
import functools
import random
from collections.abc import Callable
from pathlib import Path

from bench.callgen import Turn, run_generator

AGENT_VOICES = ("en-us+f3", "en-gb+m3", "en-us+m2", "en-gb+f2")
CALLER_VOICES = ("en-gb+m4", "en-us+m7", "en-gb+f4", "en-us+f2", "en-us+m5")
COMPANIES = ("Acme Bank", "Northwind Telecom", "Harbor Insurance", "Bluebird Energy")
AGENTS = ("Alice", "Tom", "Priya", "Daniel", "Grace")
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FIRST = ("john", "mary", "peter", "sarah", "james")
LAST = ("smith", "brown", "taylor", "wilson", "clark")
DOMAINS = ("gmail", "outlook", "yahoo", "hotmail")
MONTHS = list(calendar.month_name)[1:]
DAYS = (
    ("first", 1),
    ("third", 3),
    ("fifth", 5),
    ("ninth", 9),
    ("twelfth", 12),
    ("fourteenth", 14),
    ("twentieth", 20),
)

Entity = dict[str, object]


def luhn_card(rng: random.Random) -> str:
    """A 16-digit Visa-shaped number with a valid Luhn check digit."""
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def say(digits: str, rng: random.Random, group: int = 4) -> str:
    """Digits as a caller reads them: in groups, each digit a word, "oh" for some zeros, "double" for
    some repeated digits."""
    groups = [digits[i : i + group] for i in range(0, len(digits), group)]
    spoken = []
    for g in groups:
        words: list[str] = []
        i = 0
        while i < len(g):
            d = g[i]
            name = "oh" if d == "0" and rng.random() < 0.5 else WORDS[int(d)]
            if i + 1 < len(g) and g[i + 1] == d and rng.random() < 0.6:
                words.append(f"double {name}")
                i += 2
            else:
                words.append(name)
                i += 1
        spoken.append(" ".join(words))
    return ", ".join(spoken)


def _card(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    card = luhn_card(rng)
    turns.append(("agent", rng.choice(ASK_CARD), 0.6))
    turns.append(("caller", rng.choice(("Sure, it's", "Yes, the number is", "Okay, it is")), 0.6))
    if rng.random() < 0.4:  # read in two halves around the agent's acknowledgement
        turns.append(("caller", say(card[:8], rng), 0.2))
        first = len(turns) - 1
        turns.append(("agent", "Mm-hmm, go on.", 0.5))
        turns.append(("caller", say(card[8:], rng), 0.6))
        entities.append(
            {"entity": "CREDIT_CARD", "speaker": "caller", "turns": [first, len(turns) - 1], "digits": card}
        )
    else:
        turns.append(("caller", say(card, rng), 0.2))
        entities.append(
            {"entity": "CREDIT_CARD", "speaker": "caller", "turns": [len(turns) - 1], "digits": card}
        )
    if rng.random() < 0.35:  # the agent reads the end of it back
        turns.append(("agent", "Thank you, that's the card ending in", 0.6))
        turns.append(("agent", say(card[-4:], rng), 0.2))
        entities.append(
            {"entity": "CREDIT_CARD", "speaker": "agent", "turns": [len(turns) - 1], "digits": card[-4:]}
        )
    code = "".join(rng.choice("0123456789") for _ in range(3))
    turns.append(("agent", rng.choice(ASK_CODE), 0.6))
    turns.append(("caller", say(code, rng, group=3), 0.6))
    entities.append({"entity": "CVV", "speaker": "caller", "turns": [len(turns) - 1], "digits": code})


def _phone(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    if rng.random() < 0.5:
        number, grouping = "07" + "".join(rng.choice("0123456789") for _ in range(9)), 5
    else:
        number, grouping = (
            "".join(rng.choice("23456789") for _ in range(3))
            + "555"
            + "".join(rng.choice("0123456789") for _ in range(4)),
            3,
        )
    turns.append(("agent", rng.choice(ASK_PHONE), 0.6))
    turns.append(("caller", rng.choice(("It's", "Yes, it's", "Sure, my number is")), 0.6))
    turns.append(("caller", say(number, rng, group=grouping), 0.2))
    entities.append(
        {"entity": "PHONE_NUMBER", "speaker": "caller", "turns": [len(turns) - 1], "digits": number}
    )
    if rng.random() < 0.3:
        turns.append(("agent", "Let me repeat that,", 0.6))
        turns.append(("agent", say(number, rng, group=grouping), 0.2))
        entities.append(
            {"entity": "PHONE_NUMBER", "speaker": "agent", "turns": [len(turns) - 1], "digits": number}
        )


def _email(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    first, last, domain = rng.choice(FIRST), rng.choice(LAST), rng.choice(DOMAINS)
    turns.append(("agent", "And what email address should we use?", 0.6))
    turns.append(("caller", "It's", 0.6))
    turns.append(("caller", f"{first} dot {last} at {domain} dot com", 0.2))
    entities.append(
        {
            "entity": "EMAIL_ADDRESS",
            "speaker": "caller",
            "turns": [len(turns) - 1],
            "digits": "",
            "words": [first, last, domain],
        }
    )


def year_words(year: int) -> str:
    """1950–1999 as said: "nineteen eighty five", "nineteen seventy"."""
    tens = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
    t, u = divmod(year - 1900, 10)
    return f"nineteen {tens[t]}" + (f" {WORDS[u]}" if u else "")


def _birth(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    (day, day_number), month = rng.choice(DAYS), rng.choice(MONTHS)
    year = rng.randint(1950, 1999)
    turns.append(
        ("agent", rng.choice(("Can you confirm your date of birth?", "And your date of birth please?")), 0.6)
    )
    turns.append(("caller", f"the {day} of {month}, {year_words(year)}", 0.6))
    entities.append(
        {
            "entity": "DATE_OF_BIRTH",
            "speaker": "caller",
            "turns": [len(turns) - 1],
            "digits": f"{day_number}{year}",
            "words": [month.lower()],
        }
    )


def _ssn(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    ssn = "".join(rng.choice("123456789") for _ in range(9))
    turns.append(("agent", "For verification, can I have your social security number?", 0.6))
    turns.append(("caller", ", ".join(say(p, rng, group=9) for p in (ssn[:3], ssn[3:5], ssn[5:])), 0.6))
    entities.append({"entity": "US_SSN", "speaker": "caller", "turns": [len(turns) - 1], "digits": ssn})


def _account(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    account = "".join(rng.choice("0123456789") for _ in range(8))
    turns.append(("agent", "Could you please confirm your account number?", 0.6))
    turns.append(("caller", "Sure, it is", 0.6))
    turns.append(("caller", say(account, rng), 0.2))
    entities.append(
        {"entity": "BANK_ACCOUNT", "speaker": "caller", "turns": [len(turns) - 1], "digits": account}
    )


def iban(rng: random.Random) -> str:
    """A GB IBAN with valid check digits (ISO 13616: the rearranged number mod 97 is 1)."""
    bban = "WEST" + "".join(rng.choice("0123456789") for _ in range(14))
    numeric = "".join(str(int(ch, 36)) for ch in bban + "GB00")
    return f"GB{98 - int(numeric) % 97:02d}{bban}"


def _iban(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    code = iban(rng)
    spoken = " ".join(ch if ch.isalpha() else WORDS[int(ch)] for ch in code)
    turns.append(("agent", "For the refund, can you read me your IBAN please?", 0.6))
    turns.append(("caller", "Yes, it's", 0.6))
    turns.append(("caller", spoken, 0.2))
    digits = "".join(ch for ch in code if ch.isdigit())
    entities.append({"entity": "IBAN_CODE", "speaker": "caller", "turns": [len(turns) - 1], "digits": digits})


STREETS = ("Baker Street", "Mill Lane", "Station Road", "Church Avenue")
TOWNS = ("Leeds", "Bristol", "Norwich", "Carlisle")


def _address(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    house, street, town = rng.randint(2, 199), rng.choice(STREETS), rng.choice(TOWNS)
    district, sector = rng.randint(1, 9), rng.randint(1, 9)
    letters = "".join(rng.choice("ABDEFHJLNPRSTUWXY") for _ in range(2))
    postcode = (
        f"{rng.choice(('N W', 'S E', 'L S', 'B S'))} {WORDS[district]}, {WORDS[sector]} {' '.join(letters)}"
    )
    turns.append(("agent", rng.choice(ADDRESS_ASKS), 0.6))
    turns.append(("caller", f"It's {house} {street}, {town}, {postcode}", 0.6))
    entities.append(
        {
            "entity": "ADDRESS",
            "speaker": "caller",
            "turns": [len(turns) - 1],
            "digits": f"{house}{district}{sector}",
            "words": [street.split()[0].lower()],
        }
    )


def _partial_read_back(rng: random.Random, turns: list[Turn], entities: list[Entity]) -> None:
    """A card whose first digits the agent reads back, in the caller's own grouping."""
    card = luhn_card(rng)
    turns.append(("agent", rng.choice(ASK_CARD), 0.6))
    turns.append(("caller", say(card, rng), 0.6))
    entities.append({"entity": "CREDIT_CARD", "speaker": "caller", "turns": [len(turns) - 1], "digits": card})
    turns.append(("agent", rng.choice(("Just to check, it starts", "So the first digits are")), 0.5))
    turns.append(("agent", say(card[:6], rng, group=3), 0.2))
    entities.append(
        {"entity": "CREDIT_CARD", "speaker": "agent", "turns": [len(turns) - 1], "digits": card[:6]}
    )
    turns.append(("caller", "Yes, that's right.", 0.6))


ADDRESS_ASKS = ("And what's the address on the account?", "Can I have your postcode and address?")
ASK_CARD = (
    "Can I have the long number on the card please?",
    "Could you read me the card number?",
    "What's the sixteen digit number on the front of your card?",
)
ASK_CODE = (
    "And the three digit security code on the back?",
    "Thank you, and the CVV please?",
    "And finally the last three digits on the back of the card.",
)
ASK_PHONE = (
    "What's the best phone number to reach you on?",
    "Can I take a contact number?",
    "And your mobile number please?",
)
SCENES: dict[str, Callable[[random.Random, list[Turn], list[Entity]], None]] = {
    "card": _card,
    "phone": _phone,
    "email": _email,
    "birth": _birth,
    "ssn": _ssn,
    "account": _account,
}
STAYS = (  # said by the agent, never personal data
    "Your order number is seven seven four one, you'll get it in three to five working days.",
    "That comes to twenty four pounds fifty.",
    "I've raised ticket number two two nine for the engineers.",
)


EXTRA_SCENES: dict[str, Callable[[random.Random, list[Turn], list[Entity]], None]] = {
    "iban": _iban,
    "address": _address,
    "partial": _partial_read_back,
}
"""Scenes only `--extra` sets have (seeds 1 and 2 of the plain set stay the calls they always were)."""


def build_call(rng: random.Random, *, extra: bool = False) -> tuple[list[Turn], dict[str, object]]:
    """A call's turns and labels: the dev-set fields used here and `pii`, the entities said (entity type,
    speaker, the indices of the reference turns that say it, its digits and other secret words). With
    `extra`, every call also has one of `EXTRA_SCENES`."""
    company, agent = rng.choice(COMPANIES), rng.choice(AGENTS)
    turns: list[Turn] = [
        ("agent", f"Good morning, {company}, my name is {agent}, how can I help you?", 0.5),
        ("caller", rng.choice(("I'd like to pay my bill.", "I need to update my details.")), 0.6),
    ]
    entities: list[Entity] = []
    scenes = ["card", *rng.sample([s for s in SCENES if s != "card"], k=rng.randint(1, 3))]
    if rng.random() < 0.25:
        scenes.remove("card")
    if extra:
        scenes.append(rng.choice(sorted(EXTRA_SCENES)))
    rng.shuffle(scenes)
    for scene in scenes:
        (SCENES | EXTRA_SCENES)[scene](rng, turns, entities)
    turns.append(("agent", rng.choice(STAYS), 0.6))
    turns.append(("agent", "Is there anything else I can help you with?", 0.6))
    turns.append(("caller", "No, that's all, thanks.", 0.6))
    turns.append(("agent", f"Thank you for calling {company}, goodbye.", 0.5))
    labels = {"company": company, "agent_name": agent, "greeting": True, "closing": True, "pii": entities}
    return turns, labels


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--extra", action="store_true")
    known, rest = parser.parse_known_args()
    run_generator(
        __doc__,
        prefix="pii-x" if known.extra else "pii",
        default_out=Path("data/pii-set"),
        default_n=24,
        build_call=functools.partial(build_call, extra=known.extra),
        agent_voices=AGENT_VOICES,
        caller_voices=CALLER_VOICES,
        argv=rest,
    )


if __name__ == "__main__":
    main()
