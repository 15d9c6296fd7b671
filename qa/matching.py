"""Phrase matching that survives ASR errors: fuzzy comparison of word windows (rapidfuzz).

Phrases are plain word sequences with optional slots: `<name>` / `<any>` stand for one or two
arbitrary words ("my name is <name>"); `<Name>` is a name the engine capitalised, where it writes case.
Each match keeps its evidence: the words heard, their times and the similarity score (0–100).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from qa.pii.spans import is_redacted
from qa.text import Word, canonical, is_chinese, merge_number_words
from transcription.recognizer import Segment

SLOTS = frozenset({"<name>", "<any>"})
NOT_A_NAME = frozenset(
    {
        *("is", "it", "in", "there", "that", "this", "the", "a", "to", "of", "for", "you", "i", "we"),
        *("what", "how", "be", "are", "was", "here", "just", "now", "yes", "no", "okay", "right", "well"),
        *("can", "will", "do", "my", "your", "all", "any", "not", "hello", "hi", "hey", "morning"),
        *("afternoon", "evening", "welcome", "thanks", "thank", "calling"),
    }
)
"""Grammar words and salutations a `<name>` slot never takes: whisper capitalises a sentence's first word,
so "Is there anything…" was the introduction "<Name> here" with "Is" for a name, and "the person you are
calling is not at their desk" nearly "you are talking to <name>" (doubts on greetings that had no
self-introduction at all). Words a short name is misheard as ("am" for Tom or Sam, "and" for Ann, "on" for
Jon) are not listed: "am speaking" for "Tom speaking" keeps its frame, doubted."""
LOW_CONFIDENCE = 0.5
"""Mean recogniser confidence (0–1) below which the heard words are too unsure to act on unseen."""
MARGIN = 5.0
"""Similarity points (0–100) above its threshold a match must reach to count as clear evidence."""
RIVAL_MARGIN = 5.0
"""Similarity points (0–100) by which a false friend of a script element must match words better than the
element's phrase to claim them: a near tie says nothing ("thank you for being", the company lost after it,
is 85 like "thank you for calling" and "thank you for holding"; "thank you for being with" 86 like
"thank you for being patient": held-out F's "Thank you for being with Dunmore Lettings")."""
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")
"""Sentence punctuation, Western and Chinese (full-width forms are also NFKC-folded to the Western ones)."""
# A CJK character is a token of its own: Chinese has no spaces, and ASR errors there are per character.
_TOKEN = re.compile(r"<[a-z]+>|[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:'[a-z]+)?")
_CONTRACTIONS = {
    "i'm": "i am",
    "it's": "it is",
    "that's": "that is",
    "you're": "you are",
    "name's": "name is",
    "can't": "cannot",
    "don't": "do not",
    "isn't": "is not",
    "we're": "we are",
    "i've": "i have",
    "what's": "what is",
    "there's": "there is",
    "let's": "let us",
    "i'll": "i will",
}


def normalize(text: str) -> list[str]:
    """Lower-case word tokens (single characters for Chinese) of `text` in canonical spelling
    (`qa.text.canonical`: NFKC, simplified Chinese, numbers as digits) with punctuation dropped and common
    English contractions expanded."""
    tokens: list[str] = []
    for tok in _TOKEN.findall(canonical(text).lower().replace("’", "'")):
        tokens.extend(_CONTRACTIONS.get(tok, tok).split())
    return tokens


@dataclass(frozen=True)
class Token:
    """A transcript word with its time (seconds) and the index of its segment; `capital` when the engine
    wrote it with a capital letter (whisper capitalises names; Vosk writes everything in lower case)."""

    text: str
    start: float
    end: float
    conf: float
    segment: int
    capital: bool = False
    sentence_start: bool = False
    """First word of its segment or after sentence punctuation: a phrase match never spans one."""
    redacted: bool = False
    """A redaction placeholder (`[ACCOUNT]`), not a word heard: words of unknown content were said there."""
    packed: bool = False
    """Written packed with its neighbours into no time (`packed_words`): not a word heard spoken."""


@dataclass(frozen=True)
class Match:
    """Evidence that `phrase` was said: the heard words, their time span (s) and similarity 0–100."""

    phrase: str
    text: str
    start: float
    end: float
    score: float
    segment: int
    mean_conf: float  # mean recogniser confidence (0–1) of the matched words
    first_token: int
    last_token: int

    def to_dict(self) -> dict[str, object]:
        return {
            "phrase": self.phrase,
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 1),
            "conf": round(self.mean_conf, 2),
        }

    def weakness(self, threshold: float, *, conf_matters: bool = True) -> str | None:
        """Why this evidence is too weak to act on without a person (None when it is clear): a score
        within MARGIN of `threshold` (0–100), or words the recogniser was unsure of."""
        if self.score < threshold + MARGIN or (conf_matters and self.mean_conf < LOW_CONFIDENCE):
            return f"weak evidence ({self.score:.0f}, conf {self.mean_conf:.2f})"
        return None


def tokenize_segments(segments: Sequence[Segment], indices: Sequence[int] | None = None) -> list[Token]:
    """Word tokens of `segments` with times: word timestamps when the engine gave them, else spread evenly."""
    tokens: list[Token] = []
    for pos, seg in enumerate(segments):
        index = indices[pos] if indices is not None else pos
        if seg.words:
            raw = [(w.text, w.start, w.end, w.conf) for w in seg.words]
        else:
            texts = seg.text.split()
            step = (seg.end - seg.start) / max(1, len(texts))
            raw = [
                (t, seg.start + i * step, seg.start + (i + 1) * step, seg.confidence)
                for i, t in enumerate(texts)
            ]
        new_sentence = True
        words = merge_number_words(raw)
        packed = packed_words(words) if seg.words else set()
        for w, (text, start, end, conf) in enumerate(words):
            for k, part in enumerate(normalize(text)):
                first = k == 0
                capital, opens = first and _capital(text), first and new_sentence
                tokens.append(
                    Token(part, start, end, conf, index, capital, opens, is_redacted(text), w in packed)
                )
            new_sentence = text.rstrip("\"')").endswith(SENTENCE_ENDS)
    return tokens


PACKED_WORDS = 3
"""Consecutive words that, stamped within PACKED_S, were written without being placed in time
(`packed_words`)."""
PACKED_S = 0.15
"""Seconds within which PACKED_WORDS consecutive words cannot have been spoken (0.05 s a word)."""


def packed_words(words: Sequence[Word]) -> set[int]:
    """Indices of the `words` (one segment's, with the engine's own word times) written packed: in a run
    of PACKED_WORDS or more stamped within PACKED_S. Whisper writes such runs where it could not place
    words in the audio: mostly in the silence after speech ("and I'll see you in the next video", eight
    words at 55.20–55.34 s after an agent's thanks; "and I will see you next time" at 24.32 s after a
    recorded "Goodbye"; "is going to be a great day" after "Thank you for calling Orbit Energy. Goodbye."),
    sometimes amid a garbled turn. A segment more than half packed is all of it: it was written whole where
    nothing was said ("and/0.00 I/0.17 will/0.15" at 37.88–38.32 s, after the agent's speech ended at
    37.98 s, open "see you in the next slide", packed). Chinese words are left out: whisper's character
    times were not measured for this."""
    packed: set[int] = set()
    for i in range(len(words) - PACKED_WORDS + 1):
        run = words[i : i + PACKED_WORDS]
        if run[-1][2] - run[0][1] < PACKED_S and not any(is_chinese(w[0]) for w in run):
            packed.update(range(i, i + PACKED_WORDS))
    return set(range(len(words))) if 2 * len(packed) > len(words) else packed


def _capital(raw: str) -> bool:
    letters = raw.strip(" \"'(-")
    return bool(letters) and letters[0].isupper()


def _similarity(a: str, b: str) -> float:
    # Spacing is the commonest ASR disagreement on names ("blue bird" / "bluebird"): compare both ways.
    return max(fuzz.ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def _match_words(words: list[str], tokens: list[Token], threshold: float) -> list[tuple[int, int, float]]:
    """(first, last, score) of token windows similar to `words`, allowing one word more or fewer."""
    target = " ".join(words)
    n = len(words)
    # Single words must be near-exact: fuzzy one-word matches ("here"/"hear") are mostly noise.
    floor = max(threshold, 88.0) if n == 1 else threshold
    found: list[tuple[int, int, float]] = []
    for i in range(len(tokens)):
        best: tuple[int, int, float] | None = None
        for width in (n, n - 1, n + 1):
            if width < 1 or i + width > len(tokens):
                continue
            window = tokens[i : i + width]
            if window[-1].segment != window[0].segment:
                continue
            score = _similarity(target, " ".join(t.text for t in window))
            if score >= floor and (best is None or score > best[2]):
                best = (i, i + width - 1, score)
        if best:
            found.append(best)
    return found


def find_phrase(phrase: str, tokens: list[Token], *, threshold: float = 80.0) -> list[Match]:
    """All places where `phrase` (with optional slots) was said, best score first."""
    words = normalize(phrase)
    if not words:
        return []
    # Split around the first slot: the fixed parts are matched fuzzily, the slot takes 1–2 real words.
    slot = next((i for i, w in enumerate(words) if w in SLOTS), None)
    # `<Name>` takes a capitalised word when the engine writes case (whisper capitalises names): "i am
    # <Name>" must not take "I'm really sorry". Plain `<name>` takes any word: in "this is <name> speaking"
    # the frame says it is a name, even when the recogniser heard "pretty" for "Priya".
    strict = "<Name>" in phrase and any(t.capital for t in tokens)
    named = slot is not None and words[slot] == "<name>"

    def fits(index: int) -> bool:
        if named and tokens[index].text in NOT_A_NAME:
            return False
        return not strict or tokens[index].capital

    matches: list[Match] = []
    if slot is None:
        for first, last, score in _match_words(words, tokens, threshold):
            matches.append(match_at(phrase, tokens, first, last, score))
    else:
        before, after = words[:slot], [w for w in words[slot + 1 :] if w not in SLOTS]
        if before:
            for first, last, score in _match_words(before, tokens, threshold):
                slot_end = last + 1
                if slot_end >= len(tokens) or tokens[slot_end].segment != tokens[first].segment:
                    continue
                if not fits(slot_end):
                    continue
                if after:
                    tail = _match_after(after, tokens, slot_end, threshold)
                    if tail is None:
                        continue
                    matches.append(match_at(phrase, tokens, first, tail[0], min(score, tail[1])))
                else:
                    matches.append(match_at(phrase, tokens, first, slot_end, score))
        elif after:
            for first, last, score in _match_words(after, tokens, threshold):
                if first == 0 or tokens[first - 1].segment != tokens[first].segment or not fits(first - 1):
                    continue
                matches.append(match_at(phrase, tokens, first - 1, last, score))
    matches = [
        m for m in matches if not any(t.sentence_start for t in tokens[m.first_token + 1 : m.last_token + 1])
    ]
    matches.sort(key=lambda m: -m.score)
    return matches


def _match_after(
    words: list[str], tokens: list[Token], slot_start: int, threshold: float
) -> tuple[int, float] | None:
    """The end index and score of `words` starting 1–2 tokens after `slot_start`, in the same segment."""
    for skip in (1, 2):
        begin = slot_start + skip
        end = begin + len(words)
        if end > len(tokens) or tokens[end - 1].segment != tokens[slot_start].segment:
            continue
        score = _similarity(" ".join(words), " ".join(t.text for t in tokens[begin:end]))
        if score >= threshold:
            return end - 1, score
    return None


def match_at(phrase: str, tokens: Sequence[Token], first: int, last: int, score: float) -> Match:
    """Evidence for `phrase` on tokens `first`..`last` (inclusive) with similarity `score` (0–100)."""
    window = tokens[first : last + 1]
    return Match(
        phrase=phrase,
        text=" ".join(t.text for t in window),
        start=window[0].start,
        end=window[-1].end,
        score=score,
        segment=window[0].segment,
        mean_conf=sum(t.conf for t in window) / len(window),
        first_token=first,
        last_token=last,
    )


def taken(token: Token, spans: Sequence[tuple[float, float]], slack: float) -> bool:
    """Whether `token` lies within one of `spans` (s), its times allowed to stray `slack` s outside: a word
    of a found element's evidence."""
    return any(start - slack <= token.start and token.end <= end + slack for start, end in spans)


def without_hinted(match: Match, tokens: Sequence[Token], hinted: frozenset[str]) -> Match:
    """`match` (found on `tokens`) with its mean confidence taken over its words other than the `hinted`
    ones (the company's and agent's names given to the recogniser as hints, which come back with
    near-zero probability however clearly they were said); unchanged when only hinted words remain."""
    if not hinted or match.first_token < 0:
        return match
    heard = [t.conf for t in tokens[match.first_token : match.last_token + 1] if t.text not in hinted]
    return replace(match, mean_conf=sum(heard) / len(heard)) if heard else match


def best_match(
    phrases: Sequence[str],
    tokens: list[Token],
    *,
    threshold: float = 80.0,
    false_friends: Sequence[str] = (),
) -> Match | None:
    """The highest-scoring match of any of `phrases` (ties: the longest, as the most specific evidence —
    "you are speaking with dana" over "are speaking" — then the earliest), or None. A match on words one
    of `false_friends` matches as well or better is none (`claimed`)."""
    candidates = [m for p in phrases for m in find_phrase(p, tokens, threshold=threshold)]
    rivals = rival_matches(false_friends, tokens, threshold=threshold)
    candidates = [m for m in candidates if not claimed(m.first_token, m.last_token, m.score, rivals)]
    if not candidates:
        return None
    return max(candidates, key=lambda m: (m.score, m.last_token - m.first_token, -m.start))


def rival_matches(false_friends: Sequence[str], tokens: list[Token], *, threshold: float) -> list[Match]:
    """Where `false_friends`, phrases that resemble a script element's and say something else, were said:
    each matched at `threshold` (0–100) or above, as the element's own phrases are."""
    return [m for p in false_friends for m in find_phrase(p, tokens, threshold=threshold)]


def claimed(first: int, last: int, score: float, rivals: Sequence[Match]) -> bool:
    """Whether tokens `first`..`last`, taken for an element phrase at similarity `score` (0–100), are
    rather a false friend's: one of `rivals` covers some of them RIVAL_MARGIN or more above `score`
    ("thanks for holding" is 86 like "thanks for choosing", 100 like "thanks for holding"), or takes them
    in whole within more words it matches near-exactly (within RIVAL_MARGIN of 100) and at least as well:
    the longer phrase said word for word is the more specific reading of the same words ("was there
    anything else in the letter" is a question about the account, with "anything else" inside it)."""
    return any(
        r.first_token <= last
        and first <= r.last_token
        and (
            r.score >= score + RIVAL_MARGIN
            or (
                r.score >= max(score, 100.0 - RIVAL_MARGIN)
                and r.first_token <= first
                and last <= r.last_token
                and r.last_token - r.first_token > last - first
            )
        )
        for r in rivals
    )
