"""Redaction widened around what detection found, for the audio's sake.

A recogniser garbles digits read over a phone line ("oh double eight nine" → "so not only to I"), so the
words beside a number it did catch, and what the caller says right after being asked for a card number
or a security code, may be digits detection cannot see. Played back, they can be heard again. A silenced
word costs the QA reader little; a card digit heard is a PCI failure. So each span of a number is
widened over the neighbouring words that may be digits (number words, homophones, fillers, words the
recogniser itself was unsure of), and the caller's stretch of speech (up to a pause) after a card or code
question is redacted when anything in it sounds like a number. The widened spans are redacted in the
transcript and silenced in the audio alike, so the player and the text still agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.pii.config import PiiConfig, WidenRule
from qa.pii.numbers import CARD, READBACK, Cue
from qa.pii.spans import PiiSpan
from qa.pii.spoken import WordRef, segment_words, speaker_words
from qa.pii.words import filler, mail_like, maybe_digit, number_word, unsure_only
from transcription.recognizer import Speaker, Transcript

CVV = "CVV"
EMAIL = "EMAIL_ADDRESS"


@dataclass
class _Group:
    entity: str
    token: str
    score: float
    members: set[int]
    silence: tuple[float, float] | None = None
    """For a span of audio where nothing was decoded: its start and end (s)."""


def widen_spans(
    transcript: Transcript, spans: Sequence[PiiSpan], cues: Sequence[Cue], config: PiiConfig
) -> list[PiiSpan]:
    """`spans` widened (see the module docstring), plus the caller stretches after card and code
    questions (`cues`: the phrases detection found); spans of other entities are kept as they are."""
    rule = config.widen
    out: list[PiiSpan] = []
    for speaker in ("agent", "caller"):
        refs = speaker_words(transcript, speaker)
        mine = [s for s in spans if s.speaker == speaker]
        position = {(r.segment, r.index): i for i, r in enumerate(refs)}
        owner: dict[int, int] = {}
        groups: list[_Group] = []
        for span in mine:
            members = {position[w] for w in span.words if w in position}
            groups.append(_Group(span.entity, span.token, span.score, members))
            for m in members:
                owner[m] = len(groups) - 1
        for n, group in enumerate(groups):
            if group.entity in rule.entities and group.members:
                _extend(refs, group, n, owner, rule)
        _join(refs, groups, owner, rule)
        stretches = _stretches(transcript, refs, speaker, rule)
        if speaker == "agent":
            _add_read_backs(transcript, refs, spans, cues, groups, owner, config)
        if speaker == "caller":  # the agent asks; the agent's stretch after a read-back is a question
            _add_stretches(transcript, refs, speaker, stretches, cues, groups, owner, config)
            _add_codes(refs, stretches, groups, owner, config)
            # last, as it takes number words the rules above look for free ones; caller only, as the
            # agent's numbers sit among questions ("… 1234, and the three digits on the back")
            _add_near_numbers(refs, groups, owner, rule)
            _add_undecoded_tails(transcript, refs, speaker, groups, rule)
        out.extend(_spans(refs, groups, speaker))
    return sorted(out, key=lambda s: (s.start, s.speaker))


def _extend(refs: Sequence[WordRef], group: _Group, n: int, owner: dict[int, int], rule: WidenRule) -> None:
    """Take into `group` the free words on each side that may be digits (fillers only between such
    words), each at most `rule.gap_s` after the word before it."""
    for step in (-1, 1):
        edge = min(group.members) if step < 0 else max(group.members)
        taken: list[int] = []
        pending: list[int] = []
        i = edge + step
        last = edge
        while 0 <= i < len(refs) and i not in owner:
            a, b = (refs[i], refs[last]) if step < 0 else (refs[last], refs[i])
            if b.word.start - a.word.end > rule.gap_s:
                break
            if maybe_digit(refs[i], rule):
                taken.extend([*pending, i])
                pending = []
            elif filler(refs[i]):
                pending.append(i)
            else:
                break
            last = i
            i += step
        for m in taken:
            group.members.add(m)
            owner[m] = n


def _join(refs: Sequence[WordRef], groups: list[_Group], owner: dict[int, int], rule: WidenRule) -> None:
    """Two spans of one entity with at most `rule.join_s` between them become one, with the free words
    between: what the recogniser made of the digits in the middle ("eight to two, not all time, seven")."""
    ordered = sorted(
        (n for n, g in enumerate(groups) if g.members and g.entity in rule.entities),
        key=lambda n: min(groups[n].members),
    )
    current = ordered[0] if ordered else None
    for b in ordered[1:]:
        assert current is not None
        left, right = groups[current], groups[b]
        last, first = max(left.members), min(right.members)
        between = range(last + 1, first)
        near = refs[first].word.start - refs[last].word.end <= rule.join_s and all(
            refs[i + 1].word.start - refs[i].word.end <= rule.pause_s for i in range(last, first)
        )  # and said in one breath: no pause between
        if left.entity == right.entity and near and all(i not in owner for i in between):
            for i in [*between, *right.members]:
                left.members.add(i)
                owner[i] = current
            right.members = set()
        else:
            current = b


def _stretches(
    transcript: Transcript, refs: Sequence[WordRef], speaker: Speaker, rule: WidenRule
) -> list[list[int]]:
    """The speaker's words (indices into `refs`) in stretches ended by a pause of `rule.pause_s`, by the
    other speaker starting to speak, or after `rule.max_s`."""
    other_starts = _word_starts(transcript, "agent" if speaker == "caller" else "caller")
    stretches: list[list[int]] = []
    for i, ref in enumerate(refs):
        if stretches:
            first, prev = refs[stretches[-1][0]].word, refs[i - 1].word
            interrupted = any(prev.end <= t < ref.word.start for t in other_starts)
            long = ref.word.end - first.start > rule.max_s
            if not (ref.word.start - prev.end > rule.pause_s or interrupted or long):
                stretches[-1].append(i)
                continue
        stretches.append([i])
    return stretches


def _add_stretches(
    transcript: Transcript,
    refs: Sequence[WordRef],
    speaker: Speaker,
    stretches: Sequence[Sequence[int]],
    cues: Sequence[Cue],
    groups: list[_Group],
    owner: dict[int, int],
    config: PiiConfig,
) -> None:
    """After each question by the other speaker for one of `stretch_entities`, the speaker's first stretch
    (starting within `stretch_start_s`, before the other speaker says anything more) joins the span it
    touches, or becomes one of the question's entity, when a word in it may be a digit or (for
    `unheard_entities`) the recogniser was unsure of it. With no answer decoded after a question for one
    of `unheard_entities`, that stretch of the speaker's leg is silenced all the same. After a question for
    one of `answer_entities`, the speaker's leg is silenced until the other speaker resumes (at most
    `answer_max_s`), whatever was decoded."""
    rule = config.widen
    other = sorted(
        (w.start, w.end) for seg in transcript.segments if seg.speaker != speaker for w in segment_words(seg)
    )
    asked = [c for c in cues if c.speaker != speaker and not c.found]
    code_asked = False
    for n, cue in enumerate(asked):
        # the question ends where its speaker pauses; its last cue names what was asked, but a question
        # for a card's code usually names the card too ("the three digits on the back of the card")
        ends = _utterance_end(other, cue.time, rule.pause_s)
        code_asked |= cue.entity == CVV
        if n + 1 < len(asked) and asked[n + 1].time <= ends:
            continue
        if code_asked and cue.entity == CARD:
            cue = replace(cue, entity=CVV)
        code_asked = False
        resumes = next((a for a, _ in other if a > ends), float("inf"))
        if cue.entity in rule.answer_entities:
            # the answer's audio, wherever its words really were: silenced, not redacted in the text
            window = (cue.time, min(resumes, cue.time + rule.answer_max_s))
            groups.append(_Group(cue.entity, config.token(cue.entity), config.cued_score, set(), window))
        if cue.entity not in rule.stretch_entities:
            continue
        stretch = next((st for st in stretches if refs[st[0]].word.start >= cue.time), None)
        begins = refs[stretch[0]].word.start if stretch else float("inf")
        if stretch is None or begins > min(resumes, cue.time + rule.stretch_start_s):
            if cue.entity in rule.unheard_entities and cue.entity not in rule.answer_entities:
                # no answer decoded: what the speaker said may be the number the recogniser lost, and
                # played back it can be heard
                window = (cue.time, min(begins, resumes, cue.time + rule.stretch_start_s))
                token = config.token(cue.entity)
                groups.append(_Group(cue.entity, token, config.cued_score, set(), window))
            continue
        # the answer may pause ("five two six, [pause] seven two"): each stretch before the asker resumes
        for part in (st for st in stretches if begins <= refs[st[0]].word.start < resumes):
            numeric = any(maybe_digit(refs[i], rule) and not unsure_only(refs[i]) for i in part)
            garbled = sum(refs[i].word.conf for i in part) / len(part) < rule.garbled_conf
            if cue.entity == EMAIL:
                numeric = any(mail_like(refs[i], rule) for i in part)
            if numeric or (garbled and cue.entity in rule.unheard_entities):
                # else nothing in it sounds like a number: an answer such as "I don't have it here"
                _take(part, cue.entity, groups, owner, config)


def _add_read_backs(
    transcript: Transcript,
    refs: Sequence[WordRef],
    spans: Sequence[PiiSpan],
    cues: Sequence[Cue],
    groups: list[_Group],
    owner: dict[int, int],
    config: PiiConfig,
) -> None:
    """After the agent's own read-back phrase ("let me repeat that", "ending in"), the agent's words up to
    a pause go whole, as the caller's latest number (within `cue_window_s`), when a word in them may be a
    digit: a read-back garbled into homophones ("for free time" for "four three nine") is still the
    number. The read-back ends at a pause or at the agent's next cue for something else. The agent's leg
    after its words is silenced as after a caller's number (`_undecoded_tail`):
    a recogniser stops early in a read-back too ("three four six, five double five, four zero two,
    seven" ending at "I'm done a little")."""
    rule = config.widen
    other = _word_starts(transcript, "caller")
    for cue in cues:
        if cue.entity != READBACK or cue.speaker != "agent":
            continue
        said = [s for s in spans if s.speaker != "agent" and 0 <= cue.time - s.end <= config.cue_window_s]
        if not said:
            continue
        entity = max(said, key=lambda s: s.end).entity
        after = [i for i, r in enumerate(refs) if r.word.start >= cue.time - 0.01]
        if not after or refs[after[0]].word.start - cue.time > rule.stretch_start_s:
            continue
        # the agent's next cue of another kind ends the read-back, pause or not: a recogniser runs the
        # next question on ("… nine one five three and the three digits on the back")
        asks = [c.time for c in cues if c.speaker == "agent" and c.time > cue.time and c.entity != entity]
        asked = min(asks, default=float("inf"))
        stretch: list[int] = []
        for i in after:
            gap = refs[i].word.start - refs[stretch[-1]].word.end if stretch else 0.0
            if gap > rule.pause_s or refs[i].word.end >= asked - 0.01:
                break
            stretch.append(i)
        if any(maybe_digit(refs[i], rule) and not unsure_only(refs[i]) for i in stretch):
            n = _take(stretch, entity, groups, owner, config)
            if tail := _undecoded_tail(refs, max(stretch), other, rule):
                groups.append(_Group(groups[n].entity, groups[n].token, groups[n].score, set(), tail))


def _add_undecoded_tails(
    transcript: Transcript, refs: Sequence[WordRef], speaker: Speaker, groups: list[_Group], rule: WidenRule
) -> None:
    """After a card number or code, the speaker's leg after it is silenced (`_undecoded_tail`): a
    recogniser drops the end of a number read out ("… nine zero five five, nine oh two seven" written as
    nothing), and played back it is heard."""
    other = _word_starts(transcript, "agent" if speaker == "caller" else "caller")
    for g in list(groups):
        if g.entity not in rule.unheard_entities or not g.members:
            continue
        if tail := _undecoded_tail(refs, max(g.members), other, rule):
            groups.append(_Group(g.entity, g.token, g.score, set(), tail))


def _word_starts(transcript: Transcript, speaker: Speaker) -> list[float]:
    """The start times (s) of `speaker`'s words, in order."""
    words = (w for seg in transcript.segments if seg.speaker == speaker for w in segment_words(seg))
    return sorted(w.start for w in words)


def _undecoded_tail(
    refs: Sequence[WordRef], last: int, other_starts: Sequence[float], rule: WidenRule
) -> tuple[float, float] | None:
    """The stretch (start, end in s) of the speaker's leg after their word `last` up to their next decoded
    word or the other speaker's (`other_starts`), at most `stretch_start_s`, when it is longer than
    `pause_s`; else None."""
    end = refs[last].word.end
    own_next = refs[last + 1].word.start if last + 1 < len(refs) else float("inf")
    other_next = next((t for t in other_starts if t >= end), float("inf"))
    until = min(own_next, other_next, end + rule.stretch_start_s)
    return (end, until) if until - end > rule.pause_s else None


def _utterance_end(words: Sequence[tuple[float, float]], time: float, pause_s: float) -> float:
    """The end (s) of the utterance going on at `time` in `words` (start, end), ended by a pause."""
    end = time
    for start, stop in words:
        if stop <= time:
            continue
        if start - end > pause_s:
            break
        end = max(end, stop)
    return end


def _add_codes(
    refs: Sequence[WordRef],
    stretches: Sequence[Sequence[int]],
    groups: list[_Group],
    owner: dict[int, int],
    config: PiiConfig,
) -> None:
    """The caller's stretches starting within `after_card_s` after a card number of theirs are its
    security code when a number word is in them (the code's question may be garbled beyond a cue)."""
    rule = config.widen
    ends = [refs[max(g.members)].word.end for g in groups if g.entity == CARD and g.members]
    for stretch in stretches:
        start = refs[stretch[0]].word.start
        if not any(0 < start - end <= rule.after_card_s for end in ends):
            continue
        if any(i not in owner and not unsure_only(refs[i]) for i in stretch):
            _take(stretch, CVV, groups, owner, config)


def _add_near_numbers(
    refs: Sequence[WordRef], groups: list[_Group], owner: dict[int, int], rule: WidenRule
) -> None:
    """A number word (`words.number_word`) said in one breath (no pause over `pause_s`) at most
    `join_s` from a span of `rule.near_entities` takes the free words between it and
    the span, as `_join` does for two spans: they are digits the recogniser garbled (whisper's "輪 一 輪
    阿 一 球 吧 五 二" for a 身份证 number read out, whose span starts at 阿)."""
    for n, group in enumerate(groups):
        if group.entity not in rule.near_entities or not group.members:
            continue
        for step in (-1, 1):
            edge = min(group.members) if step < 0 else max(group.members)
            reach: list[int] = []
            i, last = edge + step, edge
            while 0 <= i < len(refs) and i not in owner:
                a, b = (refs[i], refs[last]) if step < 0 else (refs[last], refs[i])
                far = abs(refs[i].word.start - refs[edge].word.start) > rule.join_s
                if b.word.start - a.word.end > rule.pause_s or far:
                    break
                reach.append(i)
                if number_word(refs[i]):
                    for m in reach:
                        group.members.add(m)
                        owner[m] = n
                    reach = []
                last, i = i, i + step


def _take(
    stretch: Sequence[int], entity: str, groups: list[_Group], owner: dict[int, int], config: PiiConfig
) -> int:
    """The free words of `stretch` join the span they touch, or become a span of `entity`; returns the
    index of that span's group."""
    touched = sorted({owner[i] for i in stretch if i in owner})
    if touched:
        n = touched[0]
    else:
        groups.append(_Group(entity, config.token(entity), config.cued_score, set()))
        n = len(groups) - 1
    for i in stretch:
        if i not in owner:
            groups[n].members.add(i)
            owner[i] = n
    return n


def _spans(refs: Sequence[WordRef], groups: Sequence[_Group], speaker: Speaker) -> list[PiiSpan]:
    spans = []
    for g in groups:
        if not g.members:
            if g.silence is not None:
                start, end = g.silence
                spans.append(PiiSpan(g.entity, g.token, speaker, start, end, (), g.score))
            continue
        words = [refs[i] for i in sorted(g.members)]
        spans.append(
            PiiSpan(
                entity=g.entity,
                token=g.token,
                speaker=speaker,
                start=min(r.word.start for r in words),
                end=max(r.word.end for r in words),
                words=tuple((r.segment, r.index) for r in words),
                score=g.score,
            )
        )
    return spans
