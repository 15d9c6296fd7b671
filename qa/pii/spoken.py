"""Numbers as a recogniser writes them, turned back into digits with the words they came from.

Callers read card and phone numbers as digits ("4532 1234"), as words ("four five three two"), in pairs
("forty five thirty two"), with "double five", "oh" for zero, fillers ("um", "and", "dash") and pauses in
between, and recognisers write any mix of these. `spoken_text` reads one speaker's words in time order and
writes a text for pattern recognisers in which every such stretch becomes one compact token of digits
("4532123456789012"); every character of that text points back to the words it came from, so a match
found in it maps to words and their times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from qa.text import canonical
from transcription.recognizer import Segment, Speaker, Transcript, Word


class Kind(Enum):
    DIGITS = "digits"  # "4532", "4-5-3-2", "4,532", "+44", "4.5", "-3" (whisper writes read-out digits so)
    UNIT = "unit"  # zero … nine
    WEAK_UNIT = "weak_unit"  # "oh", "o", "for", "won", "ate": digits only beside other digits
    TEEN = "teen"  # ten … nineteen
    TENS = "tens"  # twenty … ninety
    SCALE = "scale"  # hundred, thousand
    REPEAT = "repeat"  # double, triple
    ORDINAL = "ordinal"  # first … thirty-first, 14th
    MONTH = "month"  # january …: weak, like "oh" ("may" is mostly a verb)
    FILLER = "filler"  # may sit inside a number without ending it
    OTHER = "other"


def _numbered(words: str, first: int = 0, step: int = 1) -> dict[str, int]:
    return {w: first + step * i for i, w in enumerate(words.split())}


UNITS = _numbered("zero one two three four five six seven eight nine")
TEENS = _numbered("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen", 10)
TENS = _numbered("twenty thirty forty fifty sixty seventy eighty ninety", 20, 10)
SCALES = {"hundred": 100, "thousand": 1000}
REPEATS = {"double": 2, "triple": 3}
ORDINALS = _numbered(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth",
    1,
) | {"thirtieth": 30}
MONTHS = _numbered("january february march april may june july august september october november december", 1)
HOMOPHONES = {"oh": "0", "o": "0", "for": "4", "won": "1", "ate": "8"}
"""Words a recogniser writes for digits read out; digits only beside other digits ("to" is left out:
"three to five days" is a range)."""
FILLERS = frozenset(_numbered("um uh er erm ah hmm and dash hyphen then space of the"))
_STRIP = ".,!?;:\"'()[]…-，。！？；：、“”‘’（）《》"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
"""A Chinese character."""
CN_DIGITS = dict(zip("零〇幺一二两三四五六七八九", "0011223456789", strict=True))
"""Chinese numerals read out digit by digit: 幺 is 1 and 两 is 2 as said in phone numbers."""
_CJK_PIECES = re.compile(r"\d+|\D+")
_DIGITS = re.compile(r"^[-+]?\d+(?:[-,./]\d+)*$")
_ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_DIGITS_LETTER = re.compile(r"^(\d+)[a-z]{1,2}$")  # "483M", "1A": a digit read out and one misheard


@dataclass(frozen=True)
class Atom:
    kind: Kind
    text: str = ""
    """Digits for DIGITS, the value as digits for the number words."""

    @property
    def value(self) -> int:
        return int(self.text) if self.text else 0


@dataclass(frozen=True)
class WordRef:
    """One word of the transcript: its segment (index in `Transcript.segments`), its index in
    `segment_words(segment)`, and the word itself."""

    segment: int
    index: int
    word: Word


def segment_words(segment: Segment) -> tuple[Word, ...]:
    """The segment's words; a segment an engine gave without words gets its text's words spread evenly
    over its time, so that every stretch of text has a time to silence."""
    if segment.words:
        return segment.words
    parts = segment.text.split()
    if not parts:
        return ()
    step = (segment.end - segment.start) / len(parts)
    return tuple(
        Word(
            text=p,
            start=segment.start + i * step,
            end=segment.start + (i + 1) * step,
            conf=segment.confidence,
        )
        for i, p in enumerate(parts)
    )


def speaker_words(transcript: Transcript, speaker: Speaker) -> list[WordRef]:
    """All words of one speaker across their segments, in time order."""
    refs = [
        WordRef(segment=i, index=j, word=w)
        for i, seg in enumerate(transcript.segments)
        if seg.speaker == speaker
        for j, w in enumerate(segment_words(seg))
    ]
    return sorted(refs, key=lambda r: (r.word.start, r.segment, r.index))


def bare(text: str) -> str:
    """The word without the punctuation around it (inner dots and @ stay: e-mail addresses)."""
    return text.strip(_STRIP)


def normalize(text: str) -> str:
    """`bare` in lower case."""
    return bare(text).lower()


def atoms(text: str) -> list[Atom]:
    """What one written word says as numbers: usually one atom, two for "twenty-three" or "twenty-first"."""
    word = normalize(text)
    if not word:
        return [Atom(Kind.FILLER)]
    if CJK.search(word):
        return _chinese_atoms(word)
    if _DIGITS.match(word):
        return [Atom(Kind.DIGITS, re.sub(r"\D", "", word))]
    if m := _ORDINAL_DIGITS.match(word):
        return [Atom(Kind.ORDINAL, m.group(1))]
    if m := _DIGITS_LETTER.match(word):
        return [Atom(Kind.DIGITS, m.group(1))]
    parts = word.split("-")
    if len(parts) > 1 and all(p in UNITS or p in TENS or p in ORDINALS or p in TEENS for p in parts):
        return [a for p in parts for a in atoms(p)]
    if word in UNITS:
        return [Atom(Kind.UNIT, str(UNITS[word]))]
    if word in HOMOPHONES:
        return [Atom(Kind.WEAK_UNIT, HOMOPHONES[word])]
    if word in TEENS:
        return [Atom(Kind.TEEN, str(TEENS[word]))]
    if word in TENS:
        return [Atom(Kind.TENS, str(TENS[word]))]
    if word in SCALES:
        return [Atom(Kind.SCALE, str(SCALES[word]))]
    if word in REPEATS:
        return [Atom(Kind.REPEAT, str(REPEATS[word]))]
    if word in ORDINALS:
        return [Atom(Kind.ORDINAL, str(ORDINALS[word]))]
    if word in MONTHS:
        return [Atom(Kind.MONTH, f"{MONTHS[word]:02d}")]
    if word in FILLERS:
        return [Atom(Kind.FILLER)]
    return [Atom(Kind.OTHER)]


def _chinese_atoms(word: str) -> list[Atom]:
    """A Chinese word: numerals alone are digits read out ("六二二二", "幺三八"; a lone 一 or 两 only beside
    other digits, as it is mostly a word); in a longer word, the numbers `qa.text.canonical` reads
    ("是6222", "一千零二十四号") as digits between the other characters (kept as OTHER atoms with
    their text)."""
    if all(ch in CN_DIGITS for ch in word):
        digits = "".join(CN_DIGITS[ch] for ch in word)
        return [Atom(Kind.WEAK_UNIT if word in ("一", "两") else Kind.DIGITS, digits)]
    pieces = _CJK_PIECES.findall(canonical(word))
    return [Atom(Kind.DIGITS, p) if p.isdigit() else Atom(Kind.OTHER, p) for p in pieces]


STRONG = frozenset({Kind.DIGITS, Kind.UNIT, Kind.TEEN, Kind.TENS, Kind.ORDINAL})
"""What says a number beyond doubt ("oh", "for", 一 alone may be words)."""
NUMERIC = STRONG | {Kind.WEAK_UNIT, Kind.SCALE, Kind.REPEAT, Kind.MONTH}


def compose(seq: Sequence[Atom]) -> str:
    """The digits a run of atoms says: "forty five" → 45, "double five" → 55, "five hundred and twelve"
    → 512, "nineteen eighty five" → 1985, "oh" → 0; fillers add nothing."""
    out = ""
    fill = 0  # trailing zeros of the last group that the next smaller number word fills in
    repeat = 1
    for atom in seq:
        kind = atom.kind
        if kind in (Kind.FILLER, Kind.OTHER):
            continue
        if kind is Kind.REPEAT:
            repeat = atom.value
            continue
        if kind is Kind.SCALE:
            zeros = len(atom.text) - 1
            out, fill = (out + "1", 0) if not out else (out, 0)
            out += "0" * zeros
            fill = zeros
            continue
        digits = atom.text
        if fill and kind in (Kind.UNIT, Kind.TEEN, Kind.TENS, Kind.ORDINAL) and len(digits) <= fill:
            out = out[: len(out) - len(digits)] + digits
            fill = 1 if kind is Kind.TENS and len(digits) == 2 else 0
            continue
        out += digits * repeat
        repeat = 1
        fill = 1 if kind is Kind.TENS else 0
    return out


@dataclass(frozen=True)
class SpokenText:
    """One speaker's words as text for the recognisers. `owners[c]` lists the indices into `words` of the
    words character `c` of `text` came from (empty for the spaces between tokens)."""

    speaker: Speaker
    words: tuple[WordRef, ...]
    text: str
    owners: tuple[tuple[int, ...], ...]

    def words_of(self, start: int, end: int) -> list[int]:
        """Indices into `words` of the characters `start`..`end` (exclusive), in order, without repeats."""
        found: set[int] = set()
        for owner in self.owners[start:end]:
            found.update(owner)
        return sorted(found)


BETWEEN_DIGITS = {"to": "2", "too": "2"}
"""Words a recogniser writes for a digit read out among others ("zero three to oh"); a digit only between
two digits ("three to five days" is a range, and its unit keeps it out of personal data anyway)."""


def word_atoms(words: Sequence[WordRef]) -> list[list[Atom]]:
    """`atoms` of each word, with a word of `BETWEEN_DIGITS` read as its digit when a digit or unit is said
    right before and after it."""
    said = [atoms(r.word.text) for r in words]
    digit = [bool(a) and a[-1].kind in (Kind.DIGITS, Kind.UNIT) for a in said]
    first = [bool(a) and a[0].kind in (Kind.DIGITS, Kind.UNIT) for a in said]
    for i in range(1, len(words) - 1):
        bridge = BETWEEN_DIGITS.get(normalize(words[i].word.text))
        if bridge and digit[i - 1] and first[i + 1]:
            said[i] = [Atom(Kind.WEAK_UNIT, bridge)]
    return said


def _number_runs(
    words: Sequence[WordRef], said: Sequence[Sequence[Atom]], max_gap_s: float
) -> list[tuple[int, int]]:
    """Stretches [i, j) of `words` (`said`: their atoms) that say one number: number words and fillers,
    consecutive number words at most `max_gap_s` apart, first and last word a number word, at least one
    of them unambiguous (digits, a unit, teen, tens or ordinal). An "Oh," with a comma opening it is an
    interjection, and a trailing "may" is a verb."""
    kinds = [[a.kind for a in atoms_] for atoms_ in said]
    numeric = [any(k in NUMERIC for k in ks) for ks in kinds]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not numeric[i]:
            i += 1
            continue
        last = i
        # a Chinese word may hold a number between other characters ("是6222", "1024号为您服务"): the
        # number goes on only from a word ending in digits, and ends in a word going on in characters
        closed = kinds[i][-1] not in NUMERIC
        for j in range(i + 1, len(words)):
            if closed or (Kind.OTHER in kinds[j] and kinds[j][0] not in NUMERIC):
                break
            if numeric[j]:
                if words[j].word.start - words[last].word.end > max_gap_s:
                    break
                if _interjection(words[j]) and words[j - 1].word.text.rstrip().endswith((".", "!", "?")):
                    break
                last = j
            closed = Kind.OTHER in kinds[j]
        start, end = i, last + 1
        if _interjection(words[start]):
            start += 1
        if end - 1 > start and normalize(words[end - 1].word.text) == "may":
            end -= 1
        if any(k in STRONG for n in range(start, end) for k in kinds[n]):
            runs.append((start, end))
        i = last + 1
    return runs


def _split_at_turns(
    words: Sequence[WordRef],
    said: Sequence[Sequence[Atom]],
    runs: Sequence[tuple[int, int]],
    other_starts: Sequence[float],
    max_digits: int,
) -> list[tuple[int, int]]:
    """`runs` with each one of more than `max_digits` digits split where the other speaker started a word
    between two of its words, each part trimmed to its number words. A run goes on across the other
    speaker's "mm-hmm" (a card read in two halves), but one longer than any number asked for is two
    answers run together ("… 二六六九。" [您的卡号是多少？] "六二二九 …": an ID and a card, 34 digits)."""
    out: list[tuple[int, int]] = []
    for start, end in runs:
        if len(compose([a for n in range(start, end) for a in said[n]])) <= max_digits:
            out.append((start, end))
            continue
        cuts = [
            j
            for j in range(start + 1, end)
            if any(words[j - 1].word.end <= t < words[j].word.start for t in other_starts)
        ]
        for a, b in zip([start, *cuts], [*cuts, end], strict=True):
            numeric = [n for n in range(a, b) if any(x.kind in NUMERIC for x in said[n])]
            if numeric:
                out.append((numeric[0], numeric[-1] + 1))
    return out


def _chinese_edges(first: Sequence[Atom], last: Sequence[Atom]) -> tuple[str, str]:
    """The characters of a Chinese word before the number it starts, and after the number it ends."""
    lead = first[0].text if len(first) > 1 and first[0].kind is Kind.OTHER else ""
    trail = last[-1].text if len(last) > 1 and last[-1].kind is Kind.OTHER else ""
    return lead, trail


def _interjection(ref: WordRef) -> bool:
    """ "Oh," with punctuation after it is an exclamation, not a zero ("O." is a zero read out)."""
    return normalize(ref.word.text) == "oh" and ref.word.text.rstrip().endswith((",", ".", "!", "?"))


def spoken_text(
    transcript: Transcript, speaker: Speaker, *, max_gap_s: float, max_run_digits: int | None = None
) -> SpokenText:
    """The speaker's words as one text: each number run (see `_number_runs`) as one token of its digits,
    other words without their punctuation (`bare`), separated by single spaces. A run of more than
    `max_run_digits` digits is split where the other speaker spoke (`_split_at_turns`)."""
    words = tuple(speaker_words(transcript, speaker))
    said = word_atoms(words)
    found = _number_runs(words, said, max_gap_s)
    if max_run_digits is not None:
        other = sorted(
            w.start for seg in transcript.segments if seg.speaker != speaker for w in segment_words(seg)
        )
        found = _split_at_turns(words, said, found, other, max_run_digits)
    runs = {start: end for start, end in found}
    pieces: list[tuple[str, tuple[int, ...]]] = []
    i = 0
    while i < len(words):
        if i in runs:
            end = runs[i]
            digits = compose([a for n in range(i, end) for a in said[n]])
            # every digit is owned by every word of the run: a match on part of a number takes it whole,
            # so no digit of it is left behind
            lead, trail = _chinese_edges(said[i], said[end - 1])
            if lead:
                pieces.append((lead, (i,)))
            if digits:
                pieces.append((digits, tuple(range(i, end))))
            if trail:  # "50元": the unit after the number, for the rules that read it
                pieces.append((trail, (end - 1,)))
            i = end
        else:
            token = bare(words[i].word.text)  # case kept: IBAN checksums read letters as capitals
            if token:
                pieces.append((token, (i,)))
            i += 1
    text_parts: list[str] = []
    owners: list[tuple[int, ...]] = []
    for n, (token, owner) in enumerate(pieces):
        if n:
            text_parts.append(" ")
            owners.append(())
        text_parts.append(token)
        owners.extend([owner] * len(token))
    return SpokenText(speaker=speaker, words=words, text="".join(text_parts), owners=tuple(owners))
