"""Words a recogniser wrote packed into no time (`qa.matching.packed_words`) are no garbled stretch where a
closing element was lost. The words are tiny.en's first decodes of the recorded Asterisk agent prompts and
held-out A, as it stamped them."""

from __future__ import annotations

from qa.checks import run_checks
from qa.matching import packed_words, tokenize_segments
from qa.script import load_script
from qa.second_reading import sure_missing
from tests.qa.helpers import said
from transcription.recognizer import Segment, Speaker, Transcript, Word

# tiny.en after the recorded "Goodbye!" (Asterisk-019): whisper's words with its own times.
HALLUCINATED = (
    Word("and", 24.32, 24.32, 0.01),
    Word("I", 24.32, 24.32, 0.04),
    Word("will", 24.32, 24.32, 0.11),
    Word("see", 24.32, 24.32, 0.10),
    Word("you", 24.32, 24.32, 0.90),
    Word("next", 24.32, 24.32, 0.17),
    Word("time.", 24.32, 24.40, 0.78),
)


def _raw(words: tuple[Word, ...]) -> list[tuple[str, float, float, float]]:
    return [(w.text, w.start, w.end, w.conf) for w in words]


def test_words_stamped_into_no_time_are_packed_and_spoken_ones_are_not() -> None:
    assert packed_words(_raw(HALLUCINATED)) == set(range(7))
    spoken = said("agent", 17.48, "Your/0.99 passwords/0.98 have/0.96 been/1.00 changed./1.00", step=0.3)
    assert packed_words(_raw(spoken.words)) == set()


def test_a_segment_mostly_packed_is_packed_whole() -> None:
    # Held-out A-017: "and I will" at 37.88–38.32 s, after the agent's speech ended at 37.98 s, open six
    # words stamped at 38.32 s.
    words = [
        ("and", 37.88, 37.88, 0.00),
        ("I", 37.88, 37.98, 0.17),
        ("will", 37.98, 38.32, 0.15),
        *((w, 38.32, 38.32, c) for w, c in [("see", 0.11), ("you", 0.86), ("in", 0.27), ("the", 0.27)]),
        ("next", 38.32, 38.32, 0.84),
        ("slide.", 38.32, 38.32, 0.15),
    ]
    assert packed_words(words) == set(range(9))
    # Three packed words amid a turn spoken at its own pace mark only themselves.
    amid = [
        ("Thank", 0.0, 0.3, 0.9),
        ("you", 0.3, 0.5, 0.9),
        *((w, 0.5, 0.5, c) for w, _, _, c in words[3:6]),
    ]
    amid += [("for", 0.5, 0.7, 0.9), ("calling", 0.7, 1.1, 0.9), ("Acme", 1.1, 1.5, 0.9)]
    assert packed_words(amid) == {2, 3, 4}


def test_packed_words_are_marked_on_the_tokens() -> None:
    segment = said("agent", 24.32, "and/0.01 I/0.04 will/0.11 see/0.10", step=0.0)
    assert all(t.packed for t in tokenize_segments([segment]))


def _asterisk_019(last: tuple[Word, ...]) -> Transcript:
    agent: Speaker = "agent"
    segments = (
        said(agent, 0.62, "I'm/0.95 sorry,/0.97 but/0.99 I/0.99 was/0.99 unable/0.99 to/0.99 locate/0.99"),
        said(agent, 17.48, "Your/0.99 passwords/0.98 have/0.96 been/1.00 changed./1.00", step=0.3),
        said(agent, 23.58, "Goodbye./0.74", step=0.74),
        Segment(agent, last[0].start, last[-1].end, " ".join(w.text for w in last), last, 0.3),
    )
    return Transcript(segments, 25.6)


def test_a_garbled_stretch_written_packed_after_the_goodbye_leaves_the_closing_a_certain_fail() -> None:
    script = load_script(None, company="Super Awesome Company", agent_name="Allison")
    result = run_checks(_asterisk_019(HALLUCINATED), script)["closing"]
    assert result.state == "fail", result.reason
    assert sure_missing(result) == ["offer_help", "thanks"]
    # The same guesses spoken at a word's pace are a garbled stretch where the thanks may have been lost.
    paced = tuple(Word(w.text, 24.32 + 0.3 * k, 24.62 + 0.3 * k, w.conf) for k, w in enumerate(HALLUCINATED))
    doubted = run_checks(_asterisk_019(paced), script)["closing"]
    assert doubted.state == "uncertain" and "a garbled stretch" in doubted.reason, doubted.reason
