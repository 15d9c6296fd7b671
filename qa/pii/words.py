"""What a word a recogniser wrote may be, for widening redaction (qa/pii/widen.py): a digit garbled or
said, a filler between digits, part of an e-mail address as said."""

from __future__ import annotations

from qa.pii.config import WidenRule
from qa.pii.spoken import CJK, NUMERIC, STRONG, Kind, WordRef, atoms, normalize

BRIDGES = frozenset({"to", "too", "tree", "free", "fore", "nein"})
"""Words a recogniser writes for a digit said among others (two, three, four, nine); taken into a
widened span only, never read as digits by detection ("three to five days" stays a range)."""


def maybe_digit(ref: WordRef, rule: WidenRule) -> bool:
    """A word that may be a digit: a number word or digits, a homophone (`BRIDGES`), a single letter (of
    an IBAN or a postcode), or a word the recogniser gave less than `rule.unsure_conf`."""
    word = normalize(ref.word.text)
    kinds = {a.kind for a in atoms(ref.word.text)}
    return (
        bool(kinds & NUMERIC)
        or any(ch.isdigit() for ch in word)
        or word in BRIDGES
        or (len(word) == 1 and word.isascii() and word.isalpha())  # a letter of an IBAN or a postcode
        or ref.word.conf < rule.unsure_conf
    )


def filler(ref: WordRef) -> bool:
    """A word that may sit inside a number without ending it ("um", "and", "dash")."""
    return {a.kind for a in atoms(ref.word.text)} == {Kind.FILLER}


def mail_like(ref: WordRef, rule: WidenRule) -> bool:
    """A word of an e-mail address as a recogniser writes one said: "@", ".mit", "gmail", "Hartmail"."""
    raw = ref.word.text.lower().strip(",!?;:")
    word = normalize(raw)
    return "@" in raw or "." in raw.rstrip(".") or word in rule.mail_words or word.endswith("mail")


def unsure_only(ref: WordRef) -> bool:
    """A word taken for its low confidence alone (no digit, number word or homophone in it)."""
    word = normalize(ref.word.text)
    kinds = {a.kind for a in atoms(ref.word.text)}
    return not (kinds & NUMERIC or any(ch.isdigit() for ch in word) or word in BRIDGES)


def number_word(ref: WordRef) -> bool:
    """A word that says a number: digits, a number word ("seven", "twenty", "third") or a Chinese numeral
    (一 and 两 too: alone mostly words, but a recogniser splits a number read out into single ones). Not
    "oh", "for" or "to", which say a digit only among others."""
    said = atoms(ref.word.text)
    chinese = bool(CJK.search(ref.word.text)) and any(a.kind is Kind.WEAK_UNIT for a in said)
    return chinese or any(a.kind in STRONG for a in said)
