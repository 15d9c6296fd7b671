"""Numbers said in a call, classified by what was asked before them: the cues (`find_cues`) and the
Presidio recognizer that applies them (`CuedNumberRecognizer`, see `entities.yaml` for the rules)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from qa.pii.config import EntityRule, PiiConfig
from qa.pii.spans import is_redacted
from qa.pii.spoken import CJK, Kind, SpokenText, WordRef, atoms, normalize, speaker_words
from transcription.recognizer import Speaker, Transcript

NOT_PERSONAL = "NOT_PERSONAL"
CARD = "CREDIT_CARD"
BIRTH = "DATE_OF_BIRTH"
GENERIC = "PERSONAL_NUMBER"
READBACK = "READ_BACK"
CN_ID = "CN_RESIDENT_ID"
AGENT: Speaker = "agent"
UNIT_REACH = 4
"""Words after a number searched for a unit ("three to five working days")."""
_NUMBER = re.compile(r"\b\d+\b")


@dataclass(frozen=True)
class Cue:
    """What tells the kind of the next number, said by `speaker` and ending at `time` (s): a phrase
    ("security code"), or (`found`) a number just classified as `entity`; `complete` for a found card
    number that passed its checksum (nothing of it is left to say)."""

    time: float
    entity: str
    speaker: Speaker
    found: bool = False
    complete: bool = False


def find_cues(transcript: Transcript, config: PiiConfig) -> list[Cue]:
    """Every cue phrase either speaker said, in time order (a phrase inside a longer one counts once, as
    the longer one: "card number" is not also "card"; a bare "number" right after another cue belongs to
    it: "social security number")."""
    phrases = [(tuple(c.split()), rule.name) for rule in config.entities.values() for c in rule.cues]
    phrases += [(tuple(c.split()), NOT_PERSONAL) for c in config.not_personal]
    phrases += [(tuple(c.split()), READBACK) for c in config.read_back]
    chinese = sorted(
        (("".join(tokens), e) for tokens, e in phrases if CJK.search(tokens[0])), key=lambda p: -len(p[0])
    )
    phrases = [p for p in phrases if not CJK.search(p[0][0])]
    phrases.sort(key=lambda p: -len(p[0]))
    cues: list[Cue] = []
    speakers: tuple[Speaker, ...] = ("agent", "caller")
    for speaker in speakers:
        refs = speaker_words(transcript, speaker)
        # A stored call redacted again holds placeholders, no words anybody said: "[ACCOUNT]" read as the
        # cue "account" made any number the agent said in the next 40 s an account number (held-out
        # G-015: "one more thing" redacted, and the offer of help with it; agent words went so in 14 of
        # G's 40 calls judged again, 11 of F's).
        words = ["" if is_redacted(r.word.text) else normalize(r.word.text) for r in refs]
        cues.extend(_chinese_cues(refs, words, chinese, speaker))
        i, last_end = 0, -1
        while i < len(words):
            for tokens, entity in phrases:
                if _heard_as(words[i : i + len(tokens)], tokens):
                    if not (entity == GENERIC and last_end == i):
                        cues.append(Cue(refs[i + len(tokens) - 1].word.end, entity, speaker))
                    i += len(tokens) - 1
                    last_end = i + 1
                    break
            i += 1
    return sorted(cues, key=lambda c: c.time)


def _chinese_cues(
    refs: Sequence[WordRef], words: Sequence[str], phrases: Sequence[tuple[str, str]], speaker: Speaker
) -> list[Cue]:
    """Chinese cue phrases in the speaker's words read as one text (a recogniser splits Chinese into
    words anywhere: "身份证号" may come as "身份", "证号"), each ending at the end of the word holding its
    last character; a phrase inside a longer one found there counts once."""
    text, owner = "", []
    for i, word in enumerate(words):
        text += word
        owner.extend([i] * len(word))
    taken = [False] * len(text)
    cues = []
    for phrase, entity in phrases:  # longest first
        for m in re.finditer(re.escape(phrase), text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * len(phrase)
            cues.append(Cue(refs[owner[m.end() - 1]].word.end, entity, speaker))
    return cues


FUZZY_MIN_LETTERS = 5
"""A cue word this long is heard in a word one letter off ("bending in" for "ending in", "secruity")."""


def _heard_as(heard: Sequence[str], tokens: Sequence[str]) -> bool:
    return len(heard) == len(tokens) and all(
        h == t or (len(t) >= FUZZY_MIN_LETTERS and _one_edit(h, t))
        for h, t in zip(heard, tokens, strict=True)
    )


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by changing, adding or dropping one letter."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def is_complete_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_valid(digits) and not is_cn_id(digits)


_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10X98765432"


def is_cn_id(digits: str) -> bool:
    """An 18-character Chinese resident identity number (GB 11643-1999): 17 digits whose weighted sum
    mod 11 gives the check character (0-9 or X), and a birth date (digits 7-14, YYYYMMDD) that can be."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    check = _CN_ID_CHECK[sum(int(d) * w for d, w in zip(digits, _CN_ID_WEIGHTS, strict=False)) % 11]
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    return digits[17].upper() == check and 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


class CuedNumberRecognizer(EntityRecognizer):
    """The numbers of one speaker's `SpokenText`, classified by the latest cue before them (either
    speaker's); a number classified is a cue itself for the numbers after it. Made per text (the cues
    and word times are the call's) and given to the analyzer as an ad-hoc recognizer. `found` keeps the
    cues of the numbers it classified, for the other speaker's text."""

    def __init__(self, spoken: SpokenText, cues: Sequence[Cue], config: PiiConfig) -> None:
        self._spoken, self._cues, self._config = spoken, list(cues), config
        self.found: list[Cue] = []
        super().__init__(supported_entities=list(config.entities), name="CuedNumberRecognizer")

    def load(self) -> None:
        """Nothing to load: the cues come with the call."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        # `entities` is the registry's list, which never names an ad-hoc recognizer's entities
        results: list[RecognizerResult] = []
        cues = list(self._cues)
        for m in _NUMBER.finditer(text):
            digits, words = m.group(), self._spoken.words_of(m.start(), m.end())
            start = self._spoken.words[words[0]].word.start
            said = [a.kind for i in words for a in atoms(self._spoken.words[i].word.text)]
            around = _context(text, m.start(), m.end())
            entity, score = self._classify(digits, start, cues, around, said)
            if entity is None:
                continue
            results.append(RecognizerResult(entity, m.start(), m.end(), score))
            end = self._spoken.words[words[-1]].word.end
            cue = Cue(end, entity, self._spoken.speaker, found=True, complete=is_complete_card(digits))
            self.found.append(cue)
            cues = sorted([*cues, cue], key=lambda c: c.time)
        return results

    def _classify(
        self, digits: str, start: float, cues: Sequence[Cue], around: Sequence[str], said: Sequence[Kind]
    ) -> tuple[str | None, float]:
        config, n = self._config, len(digits)
        if is_cn_id(digits):
            return CN_ID, 0.95
        if is_complete_card(digits):
            return CARD, 0.95
        before, after = around[:1], around[1:]
        if config.money.intersection(before) or _unit_after(after, config.units):
            return None, 0.0  # "24 pounds 50", "3 to 5 days": an amount, not an identifier
        if n <= 2 and _unit_after(after[:1], config.counted):
            return None, 0.0  # "the last 3 digits", "a 16 digit number", "后三位": a count
        ordinal = Kind.ORDINAL in said and not {Kind.DIGITS, Kind.UNIT, Kind.TEEN, Kind.TENS} & set(said)
        not_personal = False
        for in_force in self._in_force(cues, start):
            agent_gives = in_force.entity == GENERIC and in_force.speaker == self._spoken.speaker == AGENT
            if in_force.entity == NOT_PERSONAL or (agent_gives and not in_force.found):
                not_personal = True  # an order number, or the agent's own "number 229": one the agent gives
                break
            # "… ending in": what follows repeats the other speaker's latest number, however little of it
            # the recogniser kept
            cue = self._read_back(cues, in_force) if in_force.entity == READBACK else in_force
            if cue is None:
                continue
            for rule in self._rules_after(cue):
                if ordinal and rule.name != BIRTH:  # "the 16th digit", "the 3rd": a day, or no number
                    continue
                low = rule.min_digits
                if (cue.speaker == self._spoken.speaker) != cue.found:
                    # a short number is personal when the other speaker asked for it or it goes on what
                    # this speaker just said; not after the speaker's own phrase ("the three digit code
                    # on the back … 3 to 5 days"), nor in a read-back (that repeats the whole number)
                    low = max(low, config.min_own_digits)
                if low <= n <= rule.max_digits:
                    return rule.name, config.cued_score
        low_year, high_year = config.birth_years
        if n in (4, 6, 8) and low_year <= int(digits[-4:]) <= high_year:
            return BIRTH, config.unprompted_score  # a birth year, said with its day and month or not
        for entity, low, high, speaker in config.unprompted:
            mine = speaker in (None, self._spoken.speaker)
            if low <= n <= high and mine and not (not_personal and entity == GENERIC):
                return entity, config.unprompted_score
        return None, 0.0

    def _read_back(self, cues: Sequence[Cue], phrase: Cue) -> Cue | None:
        """The other speaker's latest number before `phrase`, as a cue of this speaker's (so a number
        of any length after it is of its kind), or None."""
        for cue in reversed(cues):
            if (
                cue.found
                and cue.speaker != phrase.speaker
                and 0 <= phrase.time - cue.time <= self._config.cue_window_s
            ):
                return Cue(phrase.time, cue.entity, phrase.speaker, found=True)
        return None

    def _in_force(self, cues: Sequence[Cue], start: float) -> list[Cue]:
        """The cues before `start` still in force, latest first: the other speaker's (a question, a
        number) for `cue_window_s`, the speaker's own phrase ("my number is") for `own_cue_window_s`."""
        config, me = self._config, self._spoken.speaker
        in_force = []
        for cue in reversed(cues):
            own_phrase = cue.speaker == me and not cue.found
            window = config.own_cue_window_s if own_phrase else config.cue_window_s
            if cue.time <= start and start - cue.time <= window:
                in_force.append(cue)
        return in_force

    def _rules_after(self, cue: Cue) -> list[EntityRule]:
        """The rules a number after `cue` may follow, in order: the cued entity's, then those whose
        `after` is a number this speaker just said (a code after a card; first when the card is whole)."""
        rules = self._config.entities.values()
        same = [r for r in rules if r.name == cue.entity]
        follows = cue.found and cue.speaker == self._spoken.speaker
        after = [r for r in rules if follows and r.after == cue.entity]
        return after + same if cue.complete else same + after


def _unit_after(after: Sequence[str], units: frozenset[str]) -> bool:
    """A unit among the words after a number; a Chinese one may begin the word ("元的", "天内")."""
    return any(w in units or (CJK.match(w) and any(w.startswith(u) for u in units)) for w in after)


def _context(text: str, start: int, end: int) -> list[str]:
    """The word before a number ("" at the start) and the `UNIT_REACH` words after it up to the next
    number ("186181, sure, it's 4 hours": the hours are the 4's), lower case."""
    before = text[:start].lower().split()[-1:] or [""]
    after = []
    for word in text[end:].lower().split()[:UNIT_REACH]:
        if word.isdigit():
            break
        after.append(word)
    return before + after
