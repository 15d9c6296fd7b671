"""Evidence of absence: may a check say an element is missing, or could the recogniser have lost it?

An element not found in a transcript is missing *with certainty* only where the recogniser heard the place
it belongs clearly. Each function here returns the reasons to doubt an absence (empty when the absence is
clear); any reason makes the check UNCERTAIN, with the reason shown to the reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from qa.matching import SLOTS, Match, Token, claimed, normalize, rival_matches
from qa.names import NAME_CLOSE, SOUND_SAME, find_name, name_similarity
from qa.sound_zh import FINALS_CONF, SOUND_CLOSE_ZH, sound_similarity_zh
from qa.text import is_chinese
from transcription.recognizer import Transcript

Span = tuple[float, float]

GARBLED_CONF = 0.4
"""Word confidence (0–1) below which the recogniser was guessing."""
GARBLED_RUN = 3
"""Consecutive guessed words that make a garbled stretch a phrase may hide in (one unsure "yes" is none)."""
GARBLED_SPAN = 6
"""English: GARBLED_RUN guessed words within this many consecutive words of one turn (the company's and
agent's names left out) also make a garbled stretch. Tiny.en writes a garbled opening as guesses broken by
surer short words ("orbit failure/0.17 comes/0.86 to/0.19 law/0.77 failing/0.51 seeking/0.28" for "Orbit
Telecom, hello, Helen speaking"), so its guesses seldom stand three in a row."""
UNSURE_CONF = 0.5
"""Word confidence (0–1) below which a word counts against a turn heard clearly (`clear_turn`)."""
SCATTERED_CONF = 0.3
"""English: word confidence (0–1) below which a guess scattered among surer words counts towards a garbled
stretch (`garbled_span`): stricter than GARBLED_CONF, as such guesses are not backed by their neighbours."""
GARBLED_SPAN_ZH = 5
"""Chinese: GARBLED_RUN guessed characters within this many consecutive characters of one turn make a
garbled stretch. Whisper writes Chinese a character at a time, and once it has guessed a word's first
character it writes the rest of the word with high probability (任 0.16 何 0.91, 钢 0.38 琳 0.49 for
还有什么可以帮您), so guessed characters of a misheard phrase seldom stand three in a row."""
SOUND_CLOSE = 75.0
"""Similarity (0–100, spelling lifted by sound: `qa.names.name_similarity`) from which heard words may be a
misheard script phrase."""
LOOP_REPEATS = 4
"""Chinese: a run of characters (two or more) written this many times in a row within a turn is whisper's
decoding loop, not speech: with the temperature fallback off nothing re-decodes it, and on espeak-ng
Mandarin whisper base wrote 其他雖然太有 six times at probability ~1.0 where the agent said
谢谢您的来电，祝您工作顺利，再见."""
DISTINCTIVE_MIN = 4
"""Letters from which a company's first word is distinctive enough to stand for its name."""
UNHEARD_MIN_S = 0.6
"""Seconds of speech energy without any word on them from which the recogniser is taken to have lost words."""
WORD_LONGEST_S = 1.0
"""Seconds of speech one word covers at most, counted back from its end: whisper stretches a word's start
back over words it lost ("name" 1.68–3.82 s over "Good afternoon, Meadowlark Insurance customer care")."""
WORD_REACH_S = 0.25
"""Seconds around a word's own times that still count as covered by it (word times are approximate)."""
NAME_TO_OPENING = 4
"""Words that may stand between the company's name and the bare opening word of a phrase naming the
company, heard after it in the element's turn, for the phrase to have been said around them
(`name_then_opening`): "Tamsin Broadband this evening, thank you" (2 words between)."""
REDACTED_WORDS = 2
"""Words of an element's phrase one redaction placeholder may stand for (a number, a date, a name)."""
REDACTED_HEARD = 3
"""Words of an element's phrase that must be heard around a placeholder for the placeholder to stand in
that phrase: fewer say nothing ("have a [ACCOUNT]" is no "have a great day" redacted)."""
REDACTED_CLOSE = 85.0
"""Similarity (0–100) of the words heard around a placeholder to the rest of an element's phrase from which
the placeholder may hide a part of the element (`redacted_phrase`)."""
UNHEARD_SPEECH = "speech the recogniser left without words"
"""How the doubt from speech energy with no words over it begins (`absence_doubts`): the recogniser lost
what was said there, which another recogniser that heard the stretch settles (`qa.second_reading`)."""


@dataclass(frozen=True)
class Doubt:
    """One reason to doubt that an element is missing. `resembles`: words were heard that resemble the
    element (a sound-alike, a near match, the agent's name garbled, a sentence the model reads as it), so
    the element was more likely said than not; otherwise the place it belongs was heard unclearly (a
    garbled stretch, speech left without words, a decoding loop), which says nothing about which way by
    itself. `garbled`: the doubt is a garbled stretch (words heard, but guessed) where the element belongs."""

    text: str
    resembles: bool = False
    garbled: bool = False


def window_span(transcript: Transcript, tokens: Sequence[Token], first_s: float | None) -> Span | None:
    """The stretch of the call (s) a check's window covers: the first `first_s` seconds, or from the first
    token in the window to the end of the recording (the speaker's last turns); None when nothing can be
    placed (a last-turns window with no words)."""
    if first_s is not None:
        return (0.0, min(first_s, transcript.duration_s))
    if not tokens:
        return None
    return (tokens[0].start, transcript.duration_s)


def sounds_close(
    tokens: Sequence[Token], phrases: Sequence[str], rivals: Sequence[Match] = ()
) -> tuple[str, str] | None:
    """(heard words, phrase) where a stretch of `tokens` sounds close to one of `phrases` (slots and
    placeholders skipped), e.g. "could buy" for "goodbye", 在见 for 再见 (or 太天, by its finals, where
    the words were heard unsure): the phrase may have been said and misheard. Chinese phrases are compared
    by pinyin (`qa.sound_zh`), others by spelling and sound codes (`qa.names.name_similarity`). A stretch
    a false friend of the phrases matched clearly better (`rivals`, see `qa.matching.claimed`) is what it
    says: "thanks for holding" does not sound like a thanks for calling misheard."""
    best: tuple[float, str, str] | None = None
    for phrase in phrases:
        words = normalize(phrase)
        if not words or any(w.startswith("<") for w in words):
            continue
        chinese = is_chinese(phrase)
        for i in range(len(tokens)):
            for width in {max(1, len(words) - 1), len(words), len(words) + 1}:
                window = tokens[i : i + width]
                if len(window) < width or window[-1].segment != window[0].segment:
                    continue
                heard = " ".join(t.text for t in window)
                unsure = sum(t.conf for t in window) / width < FINALS_CONF
                score = (
                    100.0 * sound_similarity_zh([t.text for t in window], "".join(words), by_finals=unsure)
                    if chinese
                    else name_similarity(heard, " ".join(words))
                )
                if chinese and score < 100.0 * SOUND_CLOSE_ZH:
                    continue
                if claimed(i, i + width - 1, score, rivals):
                    continue
                if score >= SOUND_CLOSE and (best is None or score > best[0]):
                    best = (score, heard, phrase)
    return (best[1], best[2]) if best else None


def garbled_run(tokens: Sequence[Token]) -> list[Token]:
    """The first garbled stretch of one segment, or an empty list: GARBLED_RUN or more consecutive tokens
    heard with confidence below GARBLED_CONF, or for Chinese characters GARBLED_RUN such tokens within
    GARBLED_SPAN_ZH (the stretch from the first of them to the last)."""
    run: list[Token] = []
    for token in tokens:
        if token.conf < GARBLED_CONF and (not run or run[-1].segment == token.segment):
            run.append(token)
            continue
        if len(run) >= GARBLED_RUN:
            return run
        run = [token] if token.conf < GARBLED_CONF else []
    if len(run) >= GARBLED_RUN:
        return run
    return _garbled_chinese(tokens)


def clear_turn(place: Sequence[Token], hinted: frozenset[str] = frozenset()) -> bool:
    """Whether a turn was heard clearly: fewer than GARBLED_RUN of its words, the `hinted` names left out,
    under UNSURE_CONF. On the tuning sets' openings heard clearly but judged uncertain for a garbled
    stretch in a later turn, one word was under it ("Okay," at 0.21, "Odette" at 0.41); openings that
    garbled a self-introduction had four or more ("Morning/0.08 did/0.33 you/0.66 tell/0.84 us/0.48"
    for "Morning, this is Helen at")."""
    words = [t for t in place if t.text not in hinted]
    return bool(words) and sum(t.conf < UNSURE_CONF for t in words) < GARBLED_RUN


def garbled_span(tokens: Sequence[Token], hinted: frozenset[str] = frozenset()) -> list[Token]:
    """The first stretch of one segment where GARBLED_RUN of GARBLED_SPAN consecutive words, the `hinted`
    names left out (recognisers return them at near-zero confidence however clearly said, so they say
    nothing either way), were heard below SCATTERED_CONF (from the first guessed word to the last), or an
    empty list."""
    words = [t for t in tokens if t.text not in hinted]
    for i, token in enumerate(words):
        if token.conf >= SCATTERED_CONF:
            continue
        span = [t for t in words[i : i + GARBLED_SPAN] if t.segment == token.segment]
        guessed = [k for k, t in enumerate(span) if t.conf < SCATTERED_CONF]
        if len(guessed) >= GARBLED_RUN:
            return span[: guessed[-1] + 1]
    return []


def _garbled_chinese(tokens: Sequence[Token]) -> list[Token]:
    for i, token in enumerate(tokens):
        if token.conf >= GARBLED_CONF or not is_chinese(token.text):
            continue
        span = [t for t in tokens[i : i + GARBLED_SPAN_ZH] if t.segment == token.segment]
        guessed = [k for k, t in enumerate(span) if t.conf < GARBLED_CONF]
        if len(guessed) >= GARBLED_RUN:
            return span[: guessed[-1] + 1]
    return []


def repetition_loop(tokens: Sequence[Token]) -> list[Token]:
    """The first stretch of one segment's Chinese tokens where a run of 2–8 tokens repeats LOOP_REPEATS
    times or more in a row (the whole repeated stretch), or an empty list."""
    for i, token in enumerate(tokens):
        if not is_chinese(token.text):
            continue
        for width in range(2, 9):
            unit = [t.text for t in tokens[i : i + width]]
            repeats = 1
            while [
                t.text for t in tokens[i + repeats * width : i + (repeats + 1) * width]
            ] == unit and tokens[i + (repeats + 1) * width - 1].segment == token.segment:
                repeats += 1
            if repeats >= LOOP_REPEATS:
                return list(tokens[i : i + repeats * width])
    return []


def unheard_speech(speech: Sequence[Span], tokens: Sequence[Token], span: Span) -> list[Span]:
    """Stretches (s) inside `span` where the leg has speech energy (`speech`) but no word was written,
    each at least UNHEARD_MIN_S long."""
    covered = sorted(
        (max(t.start, t.end - WORD_LONGEST_S) - WORD_REACH_S, t.end + WORD_REACH_S) for t in tokens
    )
    lost: list[Span] = []
    for s0, e0 in speech:
        start, end = max(s0, span[0]), min(e0, span[1])
        if end - start < UNHEARD_MIN_S:
            continue
        cursor = start
        for c0, c1 in covered:
            if c1 <= cursor or c0 >= end:
                continue
            if c0 - cursor >= UNHEARD_MIN_S:
                lost.append((cursor, c0))
            cursor = max(cursor, c1)
        if end - cursor >= UNHEARD_MIN_S:
            lost.append((cursor, end))
    return lost


def absence_doubts(
    tokens: Sequence[Token],
    phrases: Sequence[str],
    *,
    span: Span | None,
    speech: Sequence[Span] | None,
    agent_name: str | None = None,
    company: str | None = None,
    hinted: frozenset[str] = frozenset(),
    place: Sequence[Token] = (),
    false_friends: Sequence[str] = (),
    named_company: str | None = None,
    opening: bool = False,
) -> list[Doubt]:
    """Reasons an element with these `phrases` might have been said although the transcript lacks it:
    words that sound close to a phrase, garbled stretches and (Chinese) decoding loops, speech the
    recogniser left without words, and (for an element naming the agent) a word that sounds close to the
    agent's name, and (for an element naming the `company`) the company's distinctive word heard on its
    own. `hinted`: the names given to the recogniser as hints (normalised words); `place`: the tokens of
    the turn the element belongs in, where guesses scattered among surer words (`garbled_span`) are enough
    to hide it; `false_friends`: phrases near the element's that say something else, heard as themselves
    (`sounds_close`); `named_company`: the call's company, for an element whose phrases name it
    (`name_then_opening`); `opening`: the element belongs in the call's opening turn, `place`, and a
    garbled stretch elsewhere in the window hides it only when that turn was itself heard unclearly
    (`clear_turn`). Words redacted as personal data doubt the absence where the words around them nearly
    make one of the phrases (`redacted_phrase`)."""
    doubts: list[Doubt] = []
    cut = cut_frame(place, phrases)
    if cut:
        doubts.append(Doubt(f"the turn has “{cut}” cut off from the name", resembles=True))
    rivals = rival_matches(false_friends, list(tokens), threshold=SOUND_CLOSE) if false_friends else []
    close = sounds_close(tokens, phrases, rivals)
    if close is not None:
        doubts.append(Doubt(f"heard “{close[0]}”, which sounds like “{close[1]}”", resembles=True))
    pieces = name_then_opening(place, phrases, named_company, rivals) if named_company else None
    if pieces:
        text = f"the turn has “{pieces}”: a phrase naming the company, in pieces"
        doubts.append(Doubt(text, resembles=True))
    hidden = redacted_phrase(tokens, phrases)
    if hidden:
        doubts.append(Doubt(f"“{hidden[0]}” may be “{hidden[1]}” with words redacted", resembles=True))
    # A garbled stretch elsewhere in an opening window (the account check 15 s in) hides no greeting
    # when the opening turn itself was heard clearly; where it was not, the greeting may have run on.
    # Words written packed into no time make none: speech lost under them is speech without words.
    spoken = [t for t in place if not t.packed]
    searched = spoken if opening and clear_turn(spoken, hinted) else [t for t in tokens if not t.packed]
    run = garbled_run([t for t in searched if t.text not in hinted]) or garbled_span(spoken, hinted)
    if run:
        doubts.append(Doubt(f"a garbled stretch (“{' '.join(t.text for t in run)}”)", garbled=True))
    loop = repetition_loop(tokens)
    if loop:
        doubts.append(Doubt(f"the recogniser wrote “{' '.join(t.text for t in loop[:8])} …” over and over"))
    if speech is not None and span is not None:
        lost = unheard_speech(speech, tokens, span)
        if lost:
            where = ", ".join(f"{s:.1f}–{e:.1f} s" for s, e in lost[:3])
            doubts.append(Doubt(f"{UNHEARD_SPEECH} at {where}"))
    if agent_name:
        near = find_name(tokens, agent_name, threshold=NAME_CLOSE) or find_name(
            tokens, agent_name, threshold=SOUND_SAME, by_sound=True
        )
        if near is not None:
            heard = " ".join(t.text for t in tokens[near.first : near.last + 1])
            doubts.append(Doubt(f"“{heard}” may be the agent's name {agent_name}", resembles=True))
    word = distinctive_word(company or "")
    if word:
        hit = find_name(tokens, word)
        if hit is not None:
            heard = " ".join(t.text for t in tokens[hit.first : hit.last + 1])
            doubts.append(Doubt(f"heard “{heard}”, which may be the company {company}", resembles=True))
    return doubts


def name_then_opening(
    place: Sequence[Token], phrases: Sequence[str], company: str, rivals: Sequence[Match] = ()
) -> str | None:
    """The words from the `company`'s name to the bare opening word of a phrase naming the company, heard
    at most NAME_TO_OPENING words after the name in the turn `place` ("tamsin broadband this evening
    thank" of "thank you for <any> {company}"), or None. The recogniser drops words at a turn's start:
    in "It was good of you to ring Tamsin Broadband this evening, thank you." the first decoding lost
    "It was good of you to ring", and what is left, the company's name and a thanks after it, is the
    thanks for the call in pieces, not a bare "thank you" (held-out: a certain FAIL of a closing that
    thanked). An opening word a false friend takes ("thanks for holding", `rivals`) is not one."""
    name = normalize(company)
    openings = {
        words[0]
        for words in map(normalize, phrases)
        if words and words[0] not in SLOTS and words[0] not in name and _holds(words, name)
    }
    hit = find_name(place, company) if openings else None
    if hit is None:
        return None
    after = place[hit.last + 1 : hit.last + 2 + NAME_TO_OPENING]
    for k, token in enumerate(after, start=hit.last + 1):
        covered = any(r.segment == token.segment and r.start <= token.start <= r.end for r in rivals)
        if token.text in openings and not covered:
            return " ".join(t.text for t in place[hit.first : k + 1])
    return None


def _holds(words: Sequence[str], part: Sequence[str]) -> bool:
    return bool(part) and any(list(words[i : i + len(part)]) == list(part) for i in range(len(words)))


def redacted_phrase(tokens: Sequence[Token], phrases: Sequence[str]) -> tuple[str, str] | None:
    """(heard words, phrase) where a redaction placeholder in `tokens`, taken for one to REDACTED_WORDS of
    a phrase's words, sits among words that make the rest of the phrase at REDACTED_CLOSE or above, with
    REDACTED_HEARD of its words or more heard ("have a [NUMBER] day"): part of the element may have been
    redacted. A redactor takes words for numbers where an element was not said ("I booked you in for
    Tuesday at [ACCOUNT]", a time taken for an account number): a placeholder whose neighbours make no
    phrase says nothing about the element (closing's probe: 4 right certain FAILs doubted by any
    placeholder in the window)."""
    for q, token in enumerate(tokens):
        if not token.redacted:
            continue
        for phrase in phrases:
            words = normalize(phrase)
            if any(w.startswith("<") for w in words):
                continue
            for k in range(len(words)):
                for m in range(1, REDACTED_WORDS + 1):
                    rest = len(words) - k - m
                    if rest < 0 or len(words) - m < REDACTED_HEARD or k > q:
                        continue
                    around = [*tokens[q - k : q], *tokens[q + 1 : q + 1 + rest]]
                    if len(around) < len(words) - m or any(
                        t.redacted or t.segment != token.segment for t in around
                    ):
                        continue
                    heard = " ".join(t.text for t in around)
                    if fuzz.ratio(heard, " ".join(words[:k] + words[k + m :])) >= REDACTED_CLOSE:
                        shown = [t.text for t in tokens[q - k : q]] + ["[…]"] + [t.text for t in around[k:]]
                        return " ".join(shown), phrase
    return None


def cut_frame(place: Sequence[Token], phrases: Sequence[str]) -> str | None:
    """The words of a phrase's frame that end the turn `place` up to the phrase's closing slot ("my name is"
    of "my name is <name>", two words or more), or open it as a sentence of its own after the phrase's
    opening slot ("Speaking." of "<name> speaking"); else None. The recogniser drops words at a turn's
    edges (whisper stamps a turn's last word past the end of the speech under it), and there it is the
    name: "Morning, thanks for phoning Larkspur Mobile, my name's" is an introduction whose name was lost,
    not one left out."""
    heard = [t.text for t in place]
    for phrase in phrases:
        words = normalize(phrase)
        if len(words) > 2 and words[-1] in SLOTS and words[:-1] == heard[-(len(words) - 1) :]:
            return " ".join(words[:-1])
        tail = words[1:]
        opens = words[0] in SLOTS and tail and not set(tail) & SLOTS and heard[: len(tail)] == tail
        if opens and (len(heard) == len(tail) or place[len(tail)].sentence_start):
            return " ".join(tail)
    return None


def distinctive_word(company: str) -> str | None:
    """The word that tells a company's name apart (Orbit in Orbit Telecom, Bluewater in Bluewater Travel):
    its first word of DISTINCTIVE_MIN letters or more, by the usual order of a trading name (a brand, then
    the trade). Names are recogniser hints and come back garbled around it ("orbit failure comes" for
    "Orbit Telecom, hello"), so the word alone, by spelling or sound, may be the company said. None for a
    name with no such word."""
    words = normalize(company)
    return words[0] if len(words) > 1 and len(words[0]) >= DISTINCTIVE_MIN else None
